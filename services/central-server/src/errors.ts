import { CodedError } from '@riik/core';

export type CentralErrorCode =
  | 'NOT_INITIALISED'
  | 'ALREADY_INITIALISED'
  | 'BAD_CONFIG'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_REQUEST'
  | 'BAD_SIGNATURE'
  | 'UNTRUSTED_CERTIFICATE';

export class CentralError extends CodedError<CentralErrorCode> {}
