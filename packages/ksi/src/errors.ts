import { CodedError } from '@riik/core';

export type KsiErrorCode =
  | 'BAD_ARGUMENT'
  | 'MALFORMED_SIGNATURE'
  | 'BAD_PUBLICATION_CODE'
  | 'MALFORMED_PUBLICATIONS'
  | 'MALFORMED_FRAME'
  | 'PUBLICATION_MISMATCH'
  | 'NO_PUBLICATION'
  | 'TRANSPORT'
  | 'REJECTED';

/** Errors of the KSI signature library: codec, extension and client failures. */
export class KsiError extends CodedError<KsiErrorCode> {}
