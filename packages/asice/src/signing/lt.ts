/**
 * Extending a signature to XAdES-BASELINE-LT, the way DigiDoc signs: an RFC 3161 time-stamp over
 * the canonical ds:SignatureValue first, then an OCSP response for the signer's certificate
 * (asked with a fresh nonce, so it is produced after the time-stamp and not replayed), both
 * checked with the same rules validation applies before anything is embedded — a revoked or
 * suspended certificate, an untrusted TSA or responder, a response older than the time-stamp
 * never make it into a container. Then SignatureTimeStamp, CertificateValues and
 * RevocationValues are added without touching a signed byte.
 *
 * The TSA and the OCSP responder are reached through injected functions (HTTP ones below), so
 * the key, the TSA and the responder may each live anywhere.
 */
import { createHash } from 'node:crypto';
import type { Certificate } from '@riik/pki';
import {
  buildOcspRequest,
  encodeNonce,
  httpOcspFetch,
  parseOcspResponse,
  parseTimeStampToken,
  PkiError,
  requestTimeStamp,
  verifyTimeStampToken,
  type ParsedOcspResponse,
} from '@riik/pki';
import type { HashAlgorithm } from '@riik/keys';
import { AsiceError } from '../errors.js';
import { findIssuer, uniqueCertificates } from '../pki/paths.js';
import { checkRevocation, DEFAULT_REVOCATION_POLICY } from '../pki/revocation.js';
import { checkSigner } from '../pki/signer.js';
import type { TrustStore } from '../trust/trust-store.js';
import { identifySigningCertificate } from '../xades/signing-certificate.js';
import { parseXadesSignature } from '../xades/parse.js';
import { C14N } from '../xml/c14n.js';
import { elementChildren, isNamed } from '../xml/dom.js';
import { NS } from '../xml/namespaces.js';
import { parseXml } from '../xml/parse.js';
import { parseXmlSignature } from '../xmldsig/signature.js';
import { addUnsignedProperties, signatureTimeStampData } from './extend.js';

/** Gets a time-stamp token (DER) over a digest: an RFC 3161 TSA. */
export type TimeStampSource = (imprint: {
  hash: HashAlgorithm;
  hashedMessage: Uint8Array;
}) => Promise<Uint8Array>;

/** Sends a DER OCSPRequest and returns the DER OCSPResponse. */
export type OcspSource = (requestDer: Uint8Array) => Promise<Uint8Array>;

/** An RFC 3161 TSA over HTTP (POST application/timestamp-query). */
export function httpTimeStampSource(url: string, timeoutMs = 10_000): TimeStampSource {
  return async ({ hash, hashedMessage }) =>
    (await requestTimeStamp(url, { hash, hashedMessage, certReq: true, timeoutMs })).token;
}

/** An OCSP responder over HTTP (RFC 6960 Appendix A, POST). */
export function httpOcspSource(url: string, timeoutMs = 10_000): OcspSource {
  const fetchOcsp = httpOcspFetch(timeoutMs);
  return (requestDer) => fetchOcsp(url, requestDer);
}

export interface ExtendToLtOptions {
  readonly timeStamp: TimeStampSource;
  readonly ocsp: OcspSource;
  /** Trust for the TSA, the OCSP responder and the signer's CA (the checks validation applies). */
  readonly trust: TrustStore;
  /** The signer's issuing CA; found among `certificates` and the trust store when absent. */
  readonly issuer?: Certificate;
  /** Further certificates the signer knows (its chain, the TSA's chain). */
  readonly certificates?: readonly Certificate[];
  /** Imprint hash of the time-stamp (default SHA-256, what DigiDoc's TSAs are asked for). */
  readonly timeStampHash?: HashAlgorithm;
  /** Canonicalization of the SignatureValue for the time-stamp (default exclusive C14N). */
  readonly canonicalization?: string;
}

export interface ExtendedSignature {
  /** The signature file with its unsigned properties. */
  readonly file: Buffer;
  readonly timeStampTime: Date;
  readonly ocspProducedAt: Date;
}

const NODE_HASH: Record<HashAlgorithm, 'sha256' | 'sha384' | 'sha512'> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

export async function extendToLt(
  signatureFile: Uint8Array,
  options: ExtendToLtOptions,
): Promise<ExtendedSignature> {
  const signer = signingCertificateOf(signatureFile);
  const canonicalization = options.canonicalization ?? C14N.exc;
  const known = [...(options.certificates ?? []), ...options.trust.certificates];

  // 1. the signature time-stamp
  const hash = options.timeStampHash ?? 'SHA-256';
  const hashedMessage = new Uint8Array(
    createHash(NODE_HASH[hash]).update(signatureTimeStampData(signatureFile, canonicalization)).digest(),
  );
  let token: Uint8Array;
  try {
    token = await options.timeStamp({ hash, hashedMessage });
  } catch (err) {
    throw new AsiceError('SIGNING_TIMESTAMP_FAILED', `no time-stamp: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const parsedToken = (() => {
    try {
      return parseTimeStampToken(token);
    } catch (err) {
      throw new AsiceError('SIGNING_TIMESTAMP_FAILED', `the TSA answered with a broken token`, {
        cause: err,
      });
    }
  })();
  const genTime = parsedToken.tstInfo.genTime;
  const verified = await verifyTimeStampToken(parsedToken, {
    hashedMessage,
    anchors: options.trust.anchors('tsa', genTime).map((a) => a.certificate),
    intermediates: known,
    tsaCertificates: known,
  });
  if (!verified.valid)
    throw new AsiceError('SIGNING_TIMESTAMP_FAILED', `the time-stamp is not acceptable: ${verified.message}`);

  // 2. the signer's certificate at the time-stamp time
  const pool = uniqueCertificates([...known, ...parsedToken.certificates]);
  const signerCheck = checkSigner(signer, genTime, options.trust, pool);
  const blocking = signerCheck.findings.find(
    (f) => f.severity === 'invalid' || f.severity === 'indeterminate',
  );
  if (blocking) throw new AsiceError('SIGNING_CERTIFICATE_NOT_GOOD', blocking.message);
  const issuer = options.issuer ?? signerCheck.chain[1] ?? findIssuer(signer, pool);
  if (!issuer)
    throw new AsiceError('SIGNING_OCSP_FAILED', `the issuer of ${signer.subjectString} is not known`);

  // 3. OCSP, after the time-stamp, with a nonce
  const request = buildOcspRequest(signer, issuer, { nonce: true });
  let responseDer: Uint8Array;
  let response: ParsedOcspResponse;
  try {
    responseDer = await options.ocsp(request.der);
    response = parseOcspResponse(responseDer);
  } catch (err) {
    if (!(err instanceof PkiError)) throw err;
    throw new AsiceError('SIGNING_OCSP_FAILED', `no OCSP response: ${err.message}`, { cause: err });
  }
  if (response.status !== 'successful' || !response.basic)
    throw new AsiceError('SIGNING_OCSP_FAILED', `the OCSP responder answered ${response.status}`);
  const echoed = response.basic.nonceExtnValue;
  if (!echoed || !Buffer.from(echoed).equals(Buffer.from(encodeNonce(request.nonce!))))
    throw new AsiceError('SIGNING_OCSP_FAILED', 'the OCSP response does not echo the nonce of the request');
  const revocation = checkRevocation({
    signer,
    issuer,
    ocsp: { responses: [response], unusable: 0 },
    signatureValue: signatureValueOf(signatureFile),
    pool,
    trust: options.trust,
    timeStampTime: genTime,
    policy: DEFAULT_REVOCATION_POLICY,
  });
  const status = revocation.findings.find((f) => f.code.startsWith('OCSP_STATUS_'));
  if (status) throw new AsiceError('SIGNING_CERTIFICATE_NOT_GOOD', status.message);
  const failed = revocation.findings.find((f) => f.severity === 'invalid' || f.severity === 'indeterminate');
  if (failed) throw new AsiceError('SIGNING_OCSP_FAILED', failed.message);

  // 4. embed: the signer's chain and whatever the TSA's and responder's paths need beyond their own
  const carried = new Set(
    [...parsedToken.certificates, ...response.basic.certificates, signer].map((c) => c.sha256Hex),
  );
  const certificateValues = uniqueCertificates([
    ...signerCheck.chain.slice(1),
    ...verified.chain.slice(1),
  ]).filter((c) => !carried.has(c.sha256Hex));
  const file = addUnsignedProperties(signatureFile, {
    signatureTimeStamp: { token, canonicalization },
    certificateValues: certificateValues.map((c) => c.der),
    ocspResponses: [responseDer],
  });
  return { file, timeStampTime: genTime, ocspProducedAt: revocation.producedAt ?? response.basic.producedAt };
}

function onlySignature(file: Uint8Array) {
  const root = parseXml(file).documentElement!;
  const signatures = elementChildren(root).filter((el) => isNamed(el, NS.ds, 'Signature'));
  if (signatures.length !== 1) throw new AsiceError('SIGNING_BAD_INPUT', 'expected exactly one ds:Signature');
  return parseXmlSignature(signatures[0]!);
}

function signatureValueOf(file: Uint8Array): Uint8Array {
  return onlySignature(file).signatureValue.value;
}

/** The signer's certificate, through the signed SigningCertificate digest (never KeyInfo alone). */
function signingCertificateOf(file: Uint8Array): Certificate {
  const signature = parseXadesSignature(onlySignature(file), 'signature');
  const { certificate } = identifySigningCertificate(signature);
  if (!certificate)
    throw new AsiceError('SIGNING_BAD_INPUT', 'the signature does not identify its certificate');
  return certificate;
}
