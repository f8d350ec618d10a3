import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import {
  buildOcspResponse,
  buildOcspRequest,
  CertificateAuthority,
  issuingCaProfile,
  ocspResponderProfile,
  OID,
  parseOcspRequest,
  rootCaProfile,
  spkiOf,
  xroadAuthProfile,
  xroadSignProfile,
  type Certificate,
} from '@riik/pki';

export interface OrgPki {
  root: CertificateAuthority;
  ca: CertificateAuthority;
  responder: { certificate: Certificate; signer: SoftwareSigner };
  member(memberCode: string, serverCode?: string): Promise<MemberKeys>;
  /** A signed OCSP response for `cert` with the given status. */
  ocsp(cert: Certificate, status?: 'good' | 'revoked' | 'hold', at?: Date): Promise<Uint8Array>;
}

export interface MemberKeys {
  sign: Certificate;
  signKey: SoftwareSigner;
  auth: Certificate;
  authKey: SoftwareSigner;
}

/** An organisation CA as the e-state's (root → org CA → X-Road certificates), in memory. */
export async function createOrgPki(now: () => Date = () => new Date()): Promise<OrgPki> {
  const root = await CertificateAuthority.createRoot(
    rootCaProfile({ commonName: 'TEST riik Root', organisation: 'riik test' }),
    new SoftwareSigner(generatePrivateKey('EC-P384')),
    now,
  );
  const caKey = new SoftwareSigner(generatePrivateKey('EC-P384'));
  const caCert = await root.issue(
    issuingCaProfile({
      commonName: 'TEST RIIK ORG CA',
      organisation: 'riik test',
      policies: [OID.anyPolicy],
    }),
    spkiOf(caKey.publicKey),
  );
  const ca = new CertificateAuthority(caCert, caKey, { ocsp: 'http://127.0.0.1:1/ocsp' }, now);
  const responderKey = new SoftwareSigner(generatePrivateKey('EC-P256'));
  const responderCert = await ca.issue(
    ocspResponderProfile({ commonName: 'TEST ORG OCSP', organisation: 'riik test' }),
    spkiOf(responderKey.publicKey),
  );
  return {
    root,
    ca,
    responder: { certificate: responderCert, signer: responderKey },
    async member(memberCode, serverCode = 'ss1') {
      const signKey = new SoftwareSigner(generatePrivateKey('EC-P256'));
      const authKey = new SoftwareSigner(generatePrivateKey('EC-P256'));
      return {
        signKey,
        authKey,
        sign: await ca.issue(
          xroadSignProfile({ name: `Org ${memberCode}`, memberCode }),
          spkiOf(signKey.publicKey),
        ),
        auth: await ca.issue(
          xroadAuthProfile({
            name: `Org ${memberCode}`,
            memberCode,
            instance: 'TEST',
            memberClass: 'GOV',
            serverCode,
          }),
          spkiOf(authKey.publicKey),
        ),
      };
    },
    async ocsp(cert, status = 'good', at = now()) {
      const certId = parseOcspRequest(buildOcspRequest(cert, caCert).der).certIds[0]!.raw;
      return buildOcspResponse({
        responderCertificate: responderCert,
        signer: responderKey,
        producedAt: at,
        responses: [
          {
            certId,
            status:
              status === 'good'
                ? { status: 'good' }
                : {
                    status: 'revoked',
                    revokedAt: at,
                    reason: status === 'hold' ? 'certificateHold' : 'keyCompromise',
                  },
            thisUpdate: at,
            nextUpdate: new Date(at.getTime() + 3600_000),
          },
        ],
      });
    },
  };
}
