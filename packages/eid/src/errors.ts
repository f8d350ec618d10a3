import { CodedError } from '@riik/core';

export type EidErrorCode =
  /** Wrong PIN or PUK; `triesLeft` says how many remain. Nothing else is revealed. */
  | 'PIN_INCORRECT'
  | 'PIN_BLOCKED'
  | 'PUK_INCORRECT'
  | 'PUK_BLOCKED'
  | 'PIN_FORMAT'
  | 'BAD_DIGEST'
  | 'NO_CERTIFICATE'
  | 'TOKEN_EXISTS'
  | 'TOKEN_CORRUPT';

export class EidError extends CodedError<EidErrorCode> {
  constructor(
    code: EidErrorCode,
    message: string,
    readonly triesLeft?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
