import { checkDigit } from './checksum.js';
import { decodeCenturyDigit, isCalendarDate, type Sex } from './century.js';
import { IdCodeError, type IdCodeFault } from './errors.js';

/** A valid Estonian personal identification code (isikukood), taken apart. */
export interface IdCode {
  readonly code: string;
  readonly sex: Sex;
  /** ISO date, YYYY-MM-DD. */
  readonly birthDate: string;
  /** The three-digit serial (SSS), as a string to keep leading zeros. */
  readonly serial: string;
  readonly checkDigit: number;
}

export type IdCodeCheck =
  { valid: true; idCode: IdCode } | { valid: false; fault: IdCodeFault; reason: string };

const REASONS: Record<IdCodeFault, string> = {
  WRONG_LENGTH: 'an identification code has exactly 11 digits',
  NON_DIGIT: 'an identification code has only the digits 0-9',
  INVALID_CENTURY: 'the first digit (century and sex) must be 1-8',
  INVALID_DATE: 'digits 2-7 are not a real calendar date',
  BAD_CHECKSUM: 'the check digit does not match',
};

function fail(fault: IdCodeFault, detail = ''): IdCodeCheck {
  return { valid: false, fault, reason: REASONS[fault] + detail };
}

/**
 * Check an identification code, in the order length → characters → century digit →
 * date → checksum, so that exactly the first fault found is reported.
 */
export function checkIdCode(input: string): IdCodeCheck {
  if (input.length !== 11) return fail('WRONG_LENGTH', ` (got ${input.length})`);
  if (!/^[0-9]{11}$/.test(input)) return fail('NON_DIGIT');
  const century = decodeCenturyDigit(input.charCodeAt(0) - 48);
  if (!century) return fail('INVALID_CENTURY', ` (got ${input[0]})`);
  const year = century.centuryStart + Number(input.slice(1, 3));
  const month = Number(input.slice(3, 5));
  const day = Number(input.slice(5, 7));
  if (!isCalendarDate(year, month, day)) return fail('INVALID_DATE');
  const expected = checkDigit(input);
  const actual = input.charCodeAt(10) - 48;
  if (expected !== actual) return fail('BAD_CHECKSUM', ` (expected ${expected}, got ${actual})`);
  return {
    valid: true,
    idCode: {
      code: input,
      sex: century.sex,
      birthDate: `${year}-${input.slice(3, 5)}-${input.slice(5, 7)}`,
      serial: input.slice(7, 10),
      checkDigit: actual,
    },
  };
}

/** Parse a valid identification code or throw an IdCodeError with the fault as its code. */
export function parseIdCode(input: string): IdCode {
  const result = checkIdCode(input);
  if (!result.valid) throw new IdCodeError(result.fault, `invalid identification code: ${result.reason}`);
  return result.idCode;
}

export function isValidIdCode(input: string): boolean {
  return checkIdCode(input).valid;
}
