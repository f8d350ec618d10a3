import { CodedError } from '@riik/core';

export type StorageErrorCode = 'BAD_URL' | 'MIGRATION_FAILED' | 'CONFLICT' | 'NOT_FOUND';

export class StorageError extends CodedError<StorageErrorCode> {}
