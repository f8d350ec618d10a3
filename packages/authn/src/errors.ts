import { CodedError } from '@riik/core';

/**
 * Why a login proof was refused. Web eID codes follow the validation steps of the Web eID
 * authentication token (parse → format → certificate → purpose → policy → validity → trust →
 * revocation → signature); the login service maps each to a user-facing reason.
 */
export type AuthnErrorCode =
  | 'TOKEN_PARSE'
  | 'TOKEN_FORMAT'
  | 'CERT_DECODING'
  | 'CERT_PURPOSE'
  | 'CERT_POLICY'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_EXPIRED'
  | 'CERT_UNTRUSTED'
  | 'CERT_REVOKED'
  | 'CERT_SUSPENDED'
  | 'OCSP_FAILED'
  | 'ALGORITHM_UNSUPPORTED'
  | 'SIGNATURE_INVALID'
  | 'BAD_ARGUMENT';

export class AuthnError extends CodedError<AuthnErrorCode> {}
