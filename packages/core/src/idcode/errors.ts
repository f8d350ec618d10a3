import { CodedError } from '../errors.js';

/** Why an identification code is invalid, in the order the checks run. */
export type IdCodeFault = 'WRONG_LENGTH' | 'NON_DIGIT' | 'INVALID_CENTURY' | 'INVALID_DATE' | 'BAD_CHECKSUM';

export class IdCodeError extends CodedError<IdCodeFault | 'BAD_ARGUMENT'> {}
