import type { Certificate } from '../x509/certificate.js';
import type { CertStatusValue } from '../ocsp/response.js';

/** Why a certificate is not acceptable; a closed set so callers can map each to their own words. */
export type ValidationCode =
  | 'OK'
  | 'MALFORMED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'UNTRUSTED'
  | 'CHAIN_INVALID'
  | 'BAD_SIGNATURE'
  | 'WRONG_KEY_USAGE'
  | 'WRONG_EXTENDED_KEY_USAGE'
  | 'POLICY_NOT_ALLOWED'
  | 'REVOKED'
  | 'SUSPENDED'
  | 'REVOCATION_UNKNOWN'
  | 'REVOCATION_UNAVAILABLE'
  | 'OCSP_BAD_RESPONSE'
  | 'OCSP_UNAUTHORIZED_RESPONDER'
  | 'OCSP_BAD_SIGNATURE'
  | 'OCSP_STALE'
  | 'OCSP_NONCE_MISMATCH'
  | 'CRL_INVALID'
  | 'CRL_STALE';

export interface RevocationInfo {
  source: 'ocsp' | 'crl';
  status: CertStatusValue;
  /** OCSP producedAt / CRL thisUpdate. */
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** The raw OCSP response or CRL, for embedding in signatures (XAdES RevocationValues). */
  der: Uint8Array;
  /** Who signed it. */
  responder?: Certificate;
}

export interface ValidationResult {
  valid: boolean;
  code: ValidationCode;
  message: string;
  /** Leaf first, trust anchor last (empty when no chain was found). */
  chain: Certificate[];
  revocation?: RevocationInfo;
}

export function fail(
  code: Exclude<ValidationCode, 'OK'>,
  message: string,
  chain: Certificate[] = [],
  revocation?: RevocationInfo,
): ValidationResult {
  return { valid: false, code, message, chain, ...(revocation ? { revocation } : {}) };
}
