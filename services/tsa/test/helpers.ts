import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import {
  CertificateAuthority,
  issuingCaProfile,
  OID,
  rootCaProfile,
  spkiOf,
  tsaProfile,
  type Certificate,
} from '@riik/pki';
import { tempDir } from '@riik/testing';
import { initTsaKeys, installTsaCertificate } from '../src/index.js';

export interface TsaFixture {
  dir: { path: string; remove: () => void };
  root: Certificate;
  ca: Certificate;
  tsa: Certificate;
  vkey: string;
}

/** A data directory with TSA keys and a certificate from a throwaway root → issuing CA. */
export async function tsaFixture(now: () => Date = () => new Date()): Promise<TsaFixture> {
  const dir = tempDir('riik-tsa-');
  const root = await CertificateAuthority.createRoot(
    rootCaProfile({ commonName: 'TEST riik Root', organisation: 'riik test' }),
    new SoftwareSigner(generatePrivateKey('EC-P384')),
    now,
  );
  const caKey = new SoftwareSigner(generatePrivateKey('EC-P384'));
  const caCert = await root.issue(
    issuingCaProfile({
      commonName: 'TEST riik ORG CA',
      organisation: 'riik test',
      policies: [OID.anyPolicy],
    }),
    spkiOf(caKey.publicKey),
  );
  const ca = new CertificateAuthority(caCert, caKey, {}, now);
  const { spki, vkey } = initTsaKeys(dir.path, { instance: 'EE-TEST', now });
  const tsa = await ca.issue(tsaProfile({ commonName: 'TEST riik TSA', organisation: 'riik test' }), spki);
  installTsaCertificate(dir.path, tsa, [caCert], root.certificate);
  return { dir, root: root.certificate, ca: caCert, tsa, vkey };
}

/** A PostgreSQL schema name unique to this test run. */
export function pgSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now() % 1e7}`;
}
