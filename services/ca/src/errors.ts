import { CodedError } from '@riik/core';

export type CaErrorCode =
  | 'NOT_INITIALISED'
  | 'ALREADY_INITIALISED'
  | 'NOT_FOUND'
  | 'ALREADY_REVOKED'
  | 'NOT_SUSPENDED'
  | 'BAD_TRANSITION'
  | 'BAD_CONFIG';

export class CaError extends CodedError<CaErrorCode> {}
