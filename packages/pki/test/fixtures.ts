import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import {
  CertificateAuthority,
  issuingCaProfile,
  ocspResponderProfile,
  PERSON_CA_POLICIES,
  personAuthProfile,
  personSignProfile,
  rootCaProfile,
  spkiOf,
  type Certificate,
  type DocumentType,
} from '../src/index.js';

export interface TestPki {
  root: CertificateAuthority;
  ca: CertificateAuthority;
  responder: { certificate: Certificate; signer: SoftwareSigner };
  person(options?: { idCode?: string; documentType?: DocumentType; notBefore?: Date }): Promise<{
    auth: Certificate;
    sign: Certificate;
    authKey: SoftwareSigner;
    signKey: SoftwareSigner;
  }>;
}

/** A root, a person-document issuing CA and a delegated OCSP responder, in memory. */
export async function createTestPki(now: () => Date, ocspUrl = 'http://127.0.0.1:1/ocsp'): Promise<TestPki> {
  const rootKey = new SoftwareSigner(generatePrivateKey('EC-P384'));
  const root = await CertificateAuthority.createRoot(
    rootCaProfile({ commonName: 'TEST riik Root CA', organisation: 'riik test' }),
    rootKey,
    now,
  );
  const caKey = new SoftwareSigner(generatePrivateKey('EC-P384'));
  const caCert = await root.issue(
    issuingCaProfile({
      commonName: 'TEST ESTEID-riik',
      organisation: 'riik test',
      policies: PERSON_CA_POLICIES,
    }),
    spkiOf(caKey.publicKey),
  );
  const ca = new CertificateAuthority(
    caCert,
    caKey,
    { ocsp: ocspUrl, crl: 'http://127.0.0.1:1/crl/esteid.crl' },
    now,
  );
  const responderKey = new SoftwareSigner(generatePrivateKey('EC-P384'));
  const responderCert = await ca.issue(
    ocspResponderProfile({ commonName: 'TEST riik OCSP', organisation: 'riik test' }),
    spkiOf(responderKey.publicKey),
  );
  return {
    root,
    ca,
    responder: { certificate: responderCert, signer: responderKey },
    async person(options = {}) {
      const subject = {
        idCode: options.idCode ?? '38001085718',
        givenName: 'Jaak-Kristjan',
        surname: 'Jõeorg',
        documentType: options.documentType ?? 'id-card',
      };
      const authKey = new SoftwareSigner(generatePrivateKey('EC-P384'));
      const signKey = new SoftwareSigner(generatePrivateKey('EC-P384'));
      const issueOpts = options.notBefore ? { notBefore: options.notBefore } : {};
      return {
        auth: await ca.issue(personAuthProfile(subject), spkiOf(authKey.publicKey), issueOpts),
        sign: await ca.issue(personSignProfile(subject), spkiOf(signKey.publicKey), issueOpts),
        authKey,
        signKey,
      };
    },
  };
}
