import { randomInt } from 'node:crypto';
import { checkDigit } from './checksum.js';
import { encodeCenturyDigit, isCalendarDate, type Sex } from './century.js';
import { IdCodeError } from './errors.js';

export interface GenerateIdCodeOptions {
  /** ISO date YYYY-MM-DD, 1800-01-01 … 2199-12-31. */
  born: string;
  sex: Sex;
  /** Serial 0-999; random when absent. */
  serial?: number;
  /** Source of randomness for the serial (injected in tests). */
  random?: (maxExclusive: number) => number;
}

function parseBirthDate(born: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(born);
  if (!m) throw new IdCodeError('BAD_ARGUMENT', `birth date must be YYYY-MM-DD, got ${JSON.stringify(born)}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1800 || year > 2199) throw new IdCodeError('BAD_ARGUMENT', 'birth year must be 1800-2199');
  if (!isCalendarDate(year, month, day))
    throw new IdCodeError('INVALID_DATE', `${born} is not a calendar date`);
  return [year, month, day];
}

/** Generate a valid identification code for a birth date and sex. */
export function generateIdCode(options: GenerateIdCodeOptions): string {
  const [year, month, day] = parseBirthDate(options.born);
  const serial = options.serial ?? (options.random ?? randomInt)(1000);
  if (!Number.isInteger(serial) || serial < 0 || serial > 999) {
    throw new IdCodeError('BAD_ARGUMENT', 'serial must be an integer 0-999');
  }
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const first10 =
    String(encodeCenturyDigit(year, options.sex)) +
    pad(year % 100, 2) +
    pad(month, 2) +
    pad(day, 2) +
    pad(serial, 3);
  return first10 + String(checkDigit(first10));
}

/** Generate `count` distinct valid codes for the same birth date and sex (at most 1000 exist). */
export function generateIdCodes(options: Omit<GenerateIdCodeOptions, 'serial'>, count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new IdCodeError('BAD_ARGUMENT', 'count must be 1-1000 (there are 1000 serials per day and sex)');
  }
  const random = options.random ?? randomInt;
  const serials = new Set<number>();
  // Random distinct serials; falls back to a sweep when the space is nearly exhausted.
  while (serials.size < count && serials.size < 900) serials.add(random(1000));
  for (let s = 0; serials.size < count; s++) serials.add(s);
  return [...serials].slice(0, count).map((serial) => generateIdCode({ ...options, serial }));
}
