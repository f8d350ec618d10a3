/**
 * A small national PKI in memory, built with @riik/pki as the CA and TSA services build theirs:
 * a root, a person-document issuing CA with a delegated OCSP responder, a TSA certified by the
 * root, and persons with signing certificates. The OCSP responder and the TSA answer real DER
 * requests (RFC 6960, RFC 3161) through the injected sources the signing code uses; statuses and
 * clocks can be changed per test.
 */
import { p384 } from '@noble/curves/nist.js';
import { generatePrivateKey, SoftwareSigner } from '@riik/keys';
import {
  buildOcspResponse,
  buildTimeStampReq,
  CertificateAuthority,
  issuingCaProfile,
  ocspResponderProfile,
  parseOcspRequest,
  parseTimeStampResp,
  PERSON_CA_POLICIES,
  personSignProfile,
  rootCaProfile,
  spkiOf,
  TimeStampAuthority,
  tsaProfile,
  type CertStatusValue,
  type Certificate,
} from '@riik/pki';
import type { OcspSource, SignDigest, TimeStampSource } from '../src/index.js';
import { TrustStore } from '../src/index.js';

export interface Person {
  readonly certificate: Certificate;
  readonly key: SoftwareSigner;
  /** Raw r||s over a digest, as the eID token returns it. */
  readonly signDigest: SignDigest;
}

export interface TestPki {
  readonly root: CertificateAuthority;
  readonly ca: CertificateAuthority;
  readonly responder: { certificate: Certificate; signer: SoftwareSigner };
  readonly tsa: TimeStampAuthority;
  /** Trust as riik configures it for its own containers: the root only. */
  readonly trust: TrustStore;
  readonly timeStamp: TimeStampSource;
  readonly ocsp: OcspSource;
  /** OCSP status per certificate serial (hex); good when absent. */
  readonly statuses: Map<string, CertStatusValue>;
  /** Clocks of the TSA and the OCSP responder (default: the shared clock). */
  clocks: { tsa: () => Date; ocsp: () => Date };
  /** What the responder does with the request nonce (default: echo it). */
  nonce: 'echo' | 'drop' | 'other';
  person(idCode?: string, country?: string): Promise<Person>;
}

export async function createTestPki(now: () => Date): Promise<TestPki> {
  const key = () => new SoftwareSigner(generatePrivateKey('EC-P384'));
  const root = await CertificateAuthority.createRoot(
    rootCaProfile({ commonName: 'TEST riik Root CA', organisation: 'riik test' }),
    key(),
    () => new Date(now().getTime() - 86_400_000),
  );
  const caKey = key();
  const ca = new CertificateAuthority(
    await root.issue(
      issuingCaProfile({
        commonName: 'TEST ESTEID-riik',
        organisation: 'riik test',
        policies: PERSON_CA_POLICIES,
      }),
      spkiOf(caKey.publicKey),
    ),
    caKey,
    { ocsp: 'http://127.0.0.1:1/ocsp' },
    () => new Date(now().getTime() - 3_600_000),
  );
  const responderKey = key();
  const responder = {
    certificate: await ca.issue(
      ocspResponderProfile({ commonName: 'TEST riik OCSP', organisation: 'riik test' }),
      spkiOf(responderKey.publicKey),
    ),
    signer: responderKey,
  };
  const tsaKey = key();
  const tsaCertificate = await root.issue(
    tsaProfile({ commonName: 'TEST riik TSA', organisation: 'riik test' }),
    spkiOf(tsaKey.publicKey),
  );
  const statuses = new Map<string, CertStatusValue>();
  const fixture: TestPki = {
    root,
    ca,
    responder,
    tsa: undefined as never,
    trust: TrustStore.fromCertificates([root.certificate]),
    statuses,
    clocks: { tsa: now, ocsp: now },
    nonce: 'echo',
    timeStamp: async ({ hash, hashedMessage }) => {
      const request = buildTimeStampReq({ hash, hashedMessage });
      const outcome = await fixture.tsa.respond(request.der);
      const response = parseTimeStampResp(outcome.response);
      if (!response.tokenDer) throw new Error(`TSA refused: ${response.status}`);
      return response.tokenDer;
    },
    ocsp: async (requestDer) => {
      const request = parseOcspRequest(requestDer);
      const produced = fixture.clocks.ocsp();
      const nonce =
        fixture.nonce === 'echo'
          ? request.nonceExtnValue
          : fixture.nonce === 'other'
            ? new Uint8Array([0x04, 0x20, ...new Uint8Array(32).fill(7)])
            : undefined;
      return buildOcspResponse({
        responderCertificate: responder.certificate,
        signer: responder.signer,
        producedAt: produced,
        responses: request.certIds.map((id) => ({
          certId: id.raw,
          status: statuses.get(id.serialHex) ?? { status: 'good' },
          thisUpdate: produced,
        })),
        ...(nonce ? { nonceExtnValue: nonce } : {}),
      });
    },
    async person(idCode = '38001085718', country = 'EE') {
      const privateKey = generatePrivateKey('EC-P384');
      const signer = new SoftwareSigner(privateKey);
      const scalar = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
      const certificate = await ca.issue(
        personSignProfile({
          idCode,
          givenName: 'Mari',
          surname: 'Tamm',
          documentType: 'id-card',
          ...(country !== 'EE' ? { country } : {}),
        }),
        spkiOf(signer.publicKey),
      );
      return {
        certificate,
        key: signer,
        // ECDSA over the given digest, as the card does (no hashing of its own)
        signDigest: async (digest: Uint8Array) => p384.sign(digest, scalar, { prehash: false }),
      };
    },
  };
  (fixture as { tsa: TimeStampAuthority }).tsa = new TimeStampAuthority({
    signer: tsaKey,
    certificate: tsaCertificate,
    chain: [],
    now: () => fixture.clocks.tsa(),
  });
  return fixture;
}
