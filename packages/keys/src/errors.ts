import { CodedError } from '@riik/core/errors';

export type KeyErrorCode =
  'KEY_NOT_FOUND' | 'KEY_EXISTS' | 'BAD_PASSPHRASE' | 'UNSUPPORTED_KEY' | 'BAD_SIGNATURE_ENCODING';

export class KeyError extends CodedError<KeyErrorCode> {}
