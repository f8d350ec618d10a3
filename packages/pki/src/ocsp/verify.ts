import { bytesEqual } from '@riik/core';
import { OID } from '../oids.js';
import type { Certificate } from '../x509/certificate.js';
import { fail, type RevocationInfo, type ValidationResult } from '../validation/result.js';
import { issuerHashes } from './certid.js';
import { certIdHashOfOid } from './certid.js';
import type { ParsedOcspResponse } from './response.js';

export interface VerifyOcspOptions {
  cert: Certificate;
  issuer: Certificate;
  now: Date;
  /** The nonce octets sent, when one was; the response must echo it. */
  nonce?: Uint8Array;
  /** Responders trusted directly (e.g. listed in a trusted list), besides delegation by the issuer. */
  trustedResponders?: readonly Certificate[];
  /** Accepted clock difference (default 5 min). */
  skewMs?: number;
  /** Oldest acceptable thisUpdate when the response has no nextUpdate (default 15 min). */
  maxAgeMs?: number;
}

function matchesResponderId(basic: NonNullable<ParsedOcspResponse['basic']>, cert: Certificate): boolean {
  // KeyHash: SHA-1 of the responder's subjectPublicKey bits (RFC 6960 §4.2.1)
  if (basic.responderByKey) return bytesEqual(basic.responderByKey, cert.digest('sha1', 'publicKey'));
  if (basic.responderByNameDer) return bytesEqual(basic.responderByNameDer, cert.subjectDer);
  return false;
}

/**
 * Check an OCSP response for `cert` as RFC 6960 §3.2 asks: the SingleResponse names this
 * certificate; the signer is the issuer, a delegated responder the issuer certified for
 * OCSPSigning, or a directly trusted responder; the signature verifies; the times are current;
 * the nonce matches.
 */
export function verifyOcspResponse(
  response: ParsedOcspResponse,
  options: VerifyOcspOptions,
): ValidationResult & { revocation?: RevocationInfo } {
  const { cert, issuer, now } = options;
  const skew = options.skewMs ?? 5 * 60_000;
  if (response.status !== 'successful' || !response.basic) {
    return fail('OCSP_BAD_RESPONSE', `OCSP responder answered ${response.status}`, [cert]);
  }
  const basic = response.basic;
  const single = basic.responses.find((r) => {
    const hash = certIdHashOfOid(r.certId.hashAlgorithm);
    if (!hash) return false;
    const ih = issuerHashes(issuer, hash);
    return (
      r.serialHex === cert.serialHex &&
      bytesEqual(r.certId.issuerNameHash, ih.nameHash) &&
      bytesEqual(r.certId.issuerKeyHash, ih.keyHash)
    );
  });
  if (!single) return fail('OCSP_BAD_RESPONSE', 'the OCSP response is not about this certificate', [cert]);

  // Who signed: the CA itself, a delegated responder it issued, or a directly trusted responder.
  const candidates = [issuer, ...basic.certificates, ...(options.trustedResponders ?? [])].filter((c) =>
    matchesResponderId(basic, c),
  );
  let responder: Certificate | undefined;
  let authorised = false;
  for (const c of candidates) {
    if (!basic.isSignedBy(c)) continue;
    responder = c;
    if (c.equals(issuer) || options.trustedResponders?.some((t) => t.equals(c))) authorised = true;
    else {
      authorised =
        bytesEqual(c.issuerDer, issuer.subjectDer) &&
        c.isSignedBy(issuer) &&
        (c.extendedKeyUsage ?? []).includes(OID.kpOCSPSigning) &&
        c.isValidAt(basic.producedAt);
    }
    if (authorised) break;
  }
  const revocation: RevocationInfo = {
    source: 'ocsp',
    status: single.status,
    producedAt: basic.producedAt,
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}),
    der: response.der,
    ...(responder ? { responder } : {}),
  };
  if (!responder)
    return fail('OCSP_BAD_SIGNATURE', 'the OCSP response signature does not verify', [cert], revocation);
  if (!authorised) {
    return fail(
      'OCSP_UNAUTHORIZED_RESPONDER',
      `${responder.subjectString} is not authorised to answer for this CA`,
      [cert],
      revocation,
    );
  }
  if (options.nonce) {
    const expected = encodeNonce(options.nonce);
    if (!basic.nonceExtnValue || !bytesEqual(basic.nonceExtnValue, expected)) {
      return fail('OCSP_NONCE_MISMATCH', 'the OCSP response does not echo our nonce', [cert], revocation);
    }
  }
  if (single.thisUpdate.getTime() > now.getTime() + skew) {
    return fail('OCSP_STALE', 'the OCSP response is from the future', [cert], revocation);
  }
  const expiry =
    single.nextUpdate?.getTime() ?? single.thisUpdate.getTime() + (options.maxAgeMs ?? 15 * 60_000);
  if (expiry < now.getTime() - skew)
    return fail('OCSP_STALE', 'the OCSP response is too old', [cert], revocation);
  return { valid: true, code: 'OK', message: `OCSP: ${single.status.status}`, chain: [cert], revocation };
}

/** The nonce extension value for nonce octets: an OCTET STRING wrapping them (RFC 8954). */
export function encodeNonce(nonce: Uint8Array): Uint8Array {
  return new Uint8Array([0x04, nonce.length, ...nonce]);
}
