/**
 * Revocation of the signer's certificate from the OCSP responses an LT signature carries, as
 * the DigiDoc validators check it:
 *
 * - a response must be about this certificate (CertID: serial, issuer name and key hashes);
 * - its signature must verify with the responder's certificate, and the responder must be trusted
 *   when the response was produced: a trusted OCSP service (or a CA's own key), or a certificate
 *   with OCSPSigning that chains to a trusted OCSP or CA service and is valid at producedAt — so an
 *   expired AIA responder is not acceptable (libdigidocpp verifies the responder at producedAt);
 * - status good; revoked or suspended (certificateHold) makes the signature INVALID;
 * - producedAt no earlier than the signature time-stamp (ETSI TS 103 171 clause 8), a warning
 *   more than 15 minutes after it, and more than 24 hours after it INVALID for certificates that
 *   can be suspended and resumed (Estonian ones): a response taken after a resume must not cover
 *   a signature made while suspended (digidoc4j's rule until 6.0, kept by riik);
 * - a nonce in the BDOC form (a DigestInfo of the SignatureValue) must match.
 * The first response that passes is used; otherwise the first relevant response's findings count.
 */
import { createHash } from 'node:crypto';
import { bytesEqual } from '@riik/core';
import {
  certIdHashOfOid,
  children,
  encodeOid,
  OID,
  parseOcspResponse,
  PkiError,
  readTlv,
  type Certificate,
  type ParsedOcspResponse,
} from '@riik/pki';
import { finding, type Finding } from '../validation/findings.js';
import type { TrustStore } from '../trust/trust-store.js';
import { encodedIssuer } from '../xades/signing-certificate.js';
import { trustedPath } from './paths.js';

export interface RevocationPolicy {
  /** Later than this after the time-stamp is a warning (default 15 minutes). */
  readonly lateWarningMs: number;
  /** Later than this is INVALID for suspendable certificates (default 24 hours). */
  readonly suspendableMaxDelayMs: number;
  /** Subject countries whose certificates can be suspended and resumed (default EE). */
  readonly suspendableCountries: readonly string[];
}

export const DEFAULT_REVOCATION_POLICY: RevocationPolicy = Object.freeze({
  lateWarningMs: 15 * 60_000,
  suspendableMaxDelayMs: 24 * 3_600_000,
  suspendableCountries: Object.freeze(['EE']),
});

export interface RevocationInput {
  readonly signer: Certificate;
  /** The signer's issuer, when the path (or the pool) gave it. */
  readonly issuer?: Certificate;
  /** The OCSP responses the signature carries (see parseOcspResponses). */
  readonly ocsp: ParsedOcspResponses;
  /** The raw ds:SignatureValue octets (what a BDOC-style nonce is a digest of). */
  readonly signatureValue: Uint8Array;
  /** Certificates that may be the responder's or its issuers. */
  readonly pool: readonly Certificate[];
  readonly trust: TrustStore;
  /** The time of the (valid) signature time-stamp, when there is one. */
  readonly timeStampTime?: Date;
  readonly policy: RevocationPolicy;
}

export interface RevocationCheck {
  readonly findings: Finding[];
  readonly producedAt?: Date;
  /** The response used, when one was acceptable. */
  readonly response?: ParsedOcspResponse;
}

const NODE_HASH: Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

export interface ParsedOcspResponses {
  /** Successful responses with a BasicOCSPResponse. */
  readonly responses: readonly ParsedOcspResponse[];
  /** How many could not be parsed or were not successful. */
  readonly unusable: number;
}

/** Parse each DER OCSPResponse once; broken or unsuccessful ones are only counted. */
export function parseOcspResponses(ders: readonly Uint8Array[]): ParsedOcspResponses {
  const responses: ParsedOcspResponse[] = [];
  let unusable = 0;
  for (const der of ders) {
    try {
      const response = parseOcspResponse(der);
      if (response.status === 'successful' && response.basic) responses.push(response);
      else unusable++;
    } catch (err) {
      if (!(err instanceof PkiError)) throw err;
      unusable++;
    }
  }
  return { responses, unusable };
}

export function checkRevocation(input: RevocationInput): RevocationCheck {
  const parsed = input.ocsp.responses;
  const unusable = input.ocsp.unusable;
  const relevant = parsed.flatMap((response) => {
    const single = singleResponseFor(response, input);
    return single ? [{ response, single }] : [];
  });
  if (relevant.length === 0) {
    return {
      findings: [
        unusable > 0
          ? finding('OCSP_MALFORMED', `${unusable} unusable OCSP response(s)`)
          : finding('OCSP_MISSING', input.signer.subjectString),
      ],
    };
  }
  let first: RevocationCheck | undefined;
  for (const { response, single } of relevant) {
    const checked = checkResponse(response, single, input);
    if (!checked.findings.some((f) => f.severity === 'invalid' || f.severity === 'indeterminate'))
      return checked;
    first ??= checked;
  }
  return first!;
}

type SingleResponse = NonNullable<ParsedOcspResponse['basic']>['responses'][number];

/** The SingleResponse about the signer's certificate: its CertID names the serial, issuer name and key. */
function singleResponseFor(response: ParsedOcspResponse, input: RevocationInput): SingleResponse | undefined {
  const issuerName = encodedIssuer(input.signer);
  return response.basic!.responses.find((r) => {
    const hash = certIdHashOfOid(r.certId.hashAlgorithm);
    if (!hash || r.serialHex !== input.signer.serialHex) return false;
    const nodeHash = NODE_HASH[hash]!;
    if (!bytesEqual(createHash(nodeHash).update(issuerName).digest(), r.certId.issuerNameHash)) return false;
    return !input.issuer || bytesEqual(input.issuer.digest(nodeHash, 'publicKey'), r.certId.issuerKeyHash);
  });
}

function checkResponse(
  response: ParsedOcspResponse,
  single: SingleResponse,
  input: RevocationInput,
): RevocationCheck {
  const basic = response.basic!;
  const findings: Finding[] = [];
  const producedAt = basic.producedAt;

  // who signed it, and may they answer for this certificate at producedAt
  const pool = [...basic.certificates, ...input.pool, ...input.trust.certificates];
  const candidates = pool.filter((c) => matchesResponderId(basic, c));
  const responder = candidates.find((c) => safe(() => basic.isSignedBy(c)));
  if (!responder) {
    findings.push(
      candidates.length > 0
        ? finding('OCSP_SIGNATURE_INVALID', `produced at ${producedAt.toISOString()}`)
        : finding('OCSP_RESPONDER_UNTRUSTED', 'the responder certificate is not available'),
    );
    return { findings, producedAt, response };
  }
  const authorisation = responderAuthorised(responder, producedAt, input, pool);
  if (authorisation) findings.push(finding('OCSP_RESPONDER_UNTRUSTED', authorisation));

  // status
  const status = single.status;
  if (status.status === 'revoked') {
    const suspended = status.reason === 'certificateHold';
    findings.push(
      finding(
        suspended ? 'OCSP_STATUS_SUSPENDED' : 'OCSP_STATUS_REVOKED',
        `since ${status.revokedAt.toISOString()}${suspended ? '' : ` (${status.reason})`}`,
      ),
    );
  } else if (status.status === 'unknown') {
    findings.push(finding('OCSP_STATUS_UNKNOWN'));
  }

  // a BDOC-style nonce binds the response to this signature
  const nonce = basic.nonceExtnValue && digestInfoNonce(basic.nonceExtnValue);
  if (nonce) {
    const actual = createHash(nonce.hash).update(input.signatureValue).digest();
    if (!actual.equals(Buffer.from(nonce.digest))) findings.push(finding('OCSP_NONCE_MISMATCH'));
  }

  // order against the signature time-stamp (whole seconds, as both validators compare)
  if (input.timeStampTime) {
    const ts = Math.floor(input.timeStampTime.getTime() / 1000) * 1000;
    const delay = producedAt.getTime() - ts;
    const detail = `OCSP ${producedAt.toISOString()}, time-stamp ${input.timeStampTime.toISOString()}`;
    if (delay < 0) findings.push(finding('OCSP_BEFORE_TIMESTAMP', detail));
    else if (delay > input.policy.suspendableMaxDelayMs && isSuspendable(input.signer, input.policy))
      findings.push(finding('OCSP_TOO_LATE', detail));
    else if (delay > input.policy.lateWarningMs) findings.push(finding('OCSP_LATE', detail));
  }
  return { findings, producedAt, response };
}

/** Undefined when the responder may answer; otherwise why not. */
function responderAuthorised(
  responder: Certificate,
  producedAt: Date,
  input: RevocationInput,
  pool: readonly Certificate[],
): string | undefined {
  if (!responder.isValidAt(producedAt))
    return `${responder.subjectString} was not valid at ${producedAt.toISOString()}`;
  // listed as an OCSP service (or a CA answering with its own key)
  if (input.trust.anchors('ocsp', producedAt).some((a) => a.certificate.equals(responder))) return undefined;
  if (
    input.issuer?.equals(responder) &&
    trustedPath(input.issuer, 'ca', producedAt, input.trust, pool).result.valid
  )
    return undefined;
  // delegated: OCSPSigning, and a path to a trusted OCSP or CA service
  let eku: string[] | undefined;
  try {
    eku = responder.extendedKeyUsage;
  } catch {
    eku = undefined;
  }
  if (!eku?.includes(OID.kpOCSPSigning)) return `${responder.subjectString} is not an OCSP responder`;
  const path = trustedPath(responder, 'ocsp', producedAt, input.trust, pool);
  if (!path.result.valid) return `${responder.subjectString}: ${path.result.message}`;
  return undefined;
}

function matchesResponderId(basic: NonNullable<ParsedOcspResponse['basic']>, cert: Certificate): boolean {
  if (basic.responderByKey)
    // KeyHash: SHA-1 of the responder's subjectPublicKey bits (RFC 6960 4.2.1)
    return bytesEqual(basic.responderByKey, cert.digest('sha1', 'publicKey'));
  if (basic.responderByNameDer) return bytesEqual(basic.responderByNameDer, cert.subjectDer);
  return false;
}

function isSuspendable(cert: Certificate, policy: RevocationPolicy): boolean {
  try {
    return cert
      .subjectValues(OID.countryName)
      .some((c) => policy.suspendableCountries.includes(c.toUpperCase()));
  } catch {
    return false;
  }
}

const DIGEST_OIDS: Record<string, string> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/**
 * The BDOC nonce: DER DigestInfo { AlgorithmIdentifier, OCTET STRING digest } (RFC 8017 9.2),
 * possibly inside the OCTET STRING RFC 8954 wraps nonces in. Undefined for other (random) nonces.
 */
export function digestInfoNonce(extnValue: Uint8Array): { hash: string; digest: Uint8Array } | undefined {
  try {
    let der = extnValue;
    if (der[0] === 0x04) {
      const outer = readTlv(der, 0);
      if (outer.end === der.length) der = der.subarray(outer.contentStart, outer.end);
    }
    // most nonces are random octets (RFC 8954): not even the start of a DigestInfo
    if (der[0] !== 0x30) return undefined;
    const seq = readTlv(der, 0);
    if (seq.tag !== 0x30 || seq.end !== der.length) return undefined;
    const [alg, digest] = children(der, seq);
    if (alg?.tag !== 0x30 || digest?.tag !== 0x04) return undefined;
    const oid = children(der, alg)[0];
    if (oid?.tag !== 0x06) return undefined;
    const hash = DIGEST_BY_DER.get(Buffer.from(der.subarray(oid.start, oid.end)).toString('hex'));
    if (!hash) return undefined;
    return { hash, digest: der.subarray(digest.contentStart, digest.end) };
  } catch {
    return undefined;
  }
}

/** DER of each digest OID → node hash name. */
const DIGEST_BY_DER = new Map(
  Object.entries(DIGEST_OIDS).map(([oid, hash]) => [Buffer.from(encodeOid(oid)).toString('hex'), hash]),
);

function safe(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
