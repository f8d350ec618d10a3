import { CodedError } from '@riik/core';

export type TsaErrorCode =
  | 'NOT_INITIALISED'
  | 'ALREADY_INITIALISED'
  | 'NO_CERTIFICATE'
  | 'BAD_CONFIG'
  | 'CALENDAR_CORRUPT'
  | 'SHUTTING_DOWN'
  | 'ROUND_FAILED';

export class TsaError extends CodedError<TsaErrorCode> {}
