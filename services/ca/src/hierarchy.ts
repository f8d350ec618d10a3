import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SoftwareKeystore, type Signer } from '@riik/keys';
import {
  Certificate,
  CertificateAuthority,
  issuingCaProfile,
  OID,
  ocspResponderProfile,
  PERSON_CA_POLICIES,
  rootCaProfile,
  spkiOf,
} from '@riik/pki';
import { CaError } from './errors.js';
import { caPaths, issuerUrls, ISSUERS, readCaConfig, type CaConfig, type IssuerId } from './layout.js';

/** One issuing CA with the delegated OCSP responder certificate it gave the shared responder key. */
export interface Issuer {
  id: IssuerId;
  authority: CertificateAuthority;
  responder: { certificate: Certificate; signer: Signer };
}

/** The loaded hierarchy: root, the two issuing CAs and their responder certificates. */
export interface CaHierarchy {
  config: CaConfig;
  root: Certificate;
  issuers: Map<IssuerId, Issuer>;
  operatorToken: string;
}

export interface InitOptions {
  dataDir: string;
  instance?: string;
  baseUrl?: string;
  now?: () => Date;
}

const NAMES: Record<IssuerId, (instance: string, year: number) => string> = {
  esteid: (_i, y) => `ESTEID-RIIK ${y}`,
  org: (_i, y) => `RIIK ORG CA ${y}`,
};

/**
 * Create the national PKI in a data directory: P-384 root (as EE-GovCA2018), an issuing CA for
 * persons' documents (as ESTEID2018), one for organisations (X-Road, TSA, OCSP), and a
 * delegated OCSP responder key certified by each issuing CA. Refuses to overwrite.
 */
export async function initCa(options: InitOptions): Promise<CaHierarchy> {
  const paths = caPaths(options.dataDir);
  if (existsSync(paths.config))
    throw new CaError('ALREADY_INITIALISED', `a CA already exists in ${paths.dir}`);
  const now = options.now ?? (() => new Date());
  const instance = options.instance ?? 'EE-DEV';
  const baseUrl = (options.baseUrl ?? 'http://127.0.0.1:8701').replace(/\/$/, '');
  mkdirSync(paths.certs, { recursive: true });
  const keystore = SoftwareKeystore.open(paths.keys);
  const organisation = `riik ${instance}`;
  const year = now().getUTCFullYear();

  const root = await CertificateAuthority.createRoot(
    rootCaProfile({
      commonName: `${instance} GovCA ${year}`,
      organisation,
      organizationIdentifier: 'NTREE-70000000',
    }),
    keystore.generate('root', 'EC-P384'),
    now,
  );
  writeFileSync(paths.cert('root'), root.certificate.toPem());

  const responderKey = keystore.generate('ocsp', 'EC-P384');
  for (const id of ISSUERS) {
    const key = keystore.generate(id, 'EC-P384');
    const policies = id === 'esteid' ? PERSON_CA_POLICIES : [OID.anyPolicy];
    const cert = await root.issue(
      issuingCaProfile({
        commonName: NAMES[id](instance, year),
        organisation,
        organizationIdentifier: 'NTREE-70000000',
        policies,
      }),
      spkiOf(key.publicKey),
    );
    writeFileSync(paths.cert(id), cert.toPem());
    const ca = new CertificateAuthority(cert, key, issuerUrls(baseUrl, id), now);
    const responder = await ca.issue(
      ocspResponderProfile({ commonName: `${NAMES[id](instance, year)} OCSP RESPONDER`, organisation }),
      spkiOf(responderKey.publicKey),
    );
    writeFileSync(paths.cert(`ocsp-${id}`), responder.toPem());
  }
  writeFileSync(paths.operatorToken, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  const config: CaConfig = { version: 1, instance, baseUrl, createdAt: now().toISOString() };
  writeFileSync(paths.config, JSON.stringify(config, null, 2) + '\n');
  return loadCa(options.dataDir, now);
}

/** Load an initialised CA from its data directory. */
export function loadCa(dataDir: string, now: () => Date = () => new Date()): CaHierarchy {
  const config = readCaConfig(dataDir);
  const paths = caPaths(dataDir);
  const keystore = SoftwareKeystore.open(paths.keys);
  const responderSigner = keystore.signer('ocsp');
  const readCert = (id: string) => Certificate.fromPem(readFileSync(paths.cert(id), 'utf8'));
  const issuers = new Map<IssuerId, Issuer>();
  for (const id of ISSUERS) {
    issuers.set(id, {
      id,
      authority: new CertificateAuthority(
        readCert(id),
        keystore.signer(id),
        issuerUrls(config.baseUrl, id),
        now,
      ),
      responder: { certificate: readCert(`ocsp-${id}`), signer: responderSigner },
    });
  }
  return {
    config,
    root: readCert('root'),
    issuers,
    operatorToken: readFileSync(paths.operatorToken, 'utf8').trim(),
  };
}
