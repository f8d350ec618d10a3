import { CodedError } from '@riik/core';

export type SecurityServerErrorCode =
  'NOT_INITIALISED' | 'ALREADY_INITIALISED' | 'BAD_CONFIG' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID_REQUEST';

/** Configuration and administration errors (message processing errors are XRoadFaults). */
export class SecurityServerError extends CodedError<SecurityServerErrorCode> {}
