import { CodedError } from '@riik/core';

export type AuthServiceErrorCode = 'NOT_INITIALISED' | 'BAD_CONFIG' | 'SK_UNAVAILABLE' | 'SK_PROTOCOL';

export class AuthServiceError extends CodedError<AuthServiceErrorCode> {}
