import { CodedError } from '@riik/core';

/** Why a global configuration (PR-GCONF) could not be used. */
export type GlobalConfFault =
  /** Not the structure PR-GCONF defines (directory, shared or private parameters, anchor). */
  | 'MALFORMED'
  /** The directory signature does not verify with the anchor's certificate. */
  | 'INVALID_SIGNATURE'
  /** A downloaded file does not have the digest the signed directory gives. */
  | 'HASH_MISMATCH'
  /** The directory's Expire-date has passed. */
  | 'EXPIRED'
  /** A configuration version riik does not read. */
  | 'UNSUPPORTED_VERSION'
  /** The configuration source could not be reached or answered with an error. */
  | 'DOWNLOAD_FAILED';

export class GlobalConfError extends CodedError<GlobalConfFault> {}
