import { CodedError } from '@riik/core/errors';

export type PkiErrorCode =
  | 'MALFORMED_DER'
  | 'UNSUPPORTED_ALGORITHM'
  | 'BAD_SIGNATURE'
  | 'BAD_CSR'
  | 'BAD_ARGUMENT'
  | 'OCSP_TRANSPORT'
  | 'OCSP_MALFORMED_RESPONSE'
  | 'TSP_TRANSPORT'
  | 'TSP_REJECTED'
  | 'TSP_MISMATCH';

/** Codec and operation errors of the PKI library (validation outcomes are results, not errors). */
export class PkiError extends CodedError<PkiErrorCode> {}
