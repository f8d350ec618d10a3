import { isAllowedIdentifierValue, MAX_IDENTIFIER_PART_LENGTH, type IdentifierPolicy } from './characters.js';
import { decodeIdentifierPart, encodeIdentifierPart } from './encoding.js';
import { XRoadIdError } from './errors.js';

export interface IdentifierOptions {
  /** Character policy for every part; `strict` (PR-REST §4.8) unless said otherwise. */
  readonly policy?: IdentifierPolicy;
}

// An encoded part can be at most 9 characters per UTF-16 unit (3 bytes as %XX each); anything longer
// than that for the largest identifier cannot be valid, so it is refused before any splitting work.
const MAX_ENCODED_PART = MAX_IDENTIFIER_PART_LENGTH * 9;

/** Checks one decoded part and returns it; `what` names the field in messages. */
export function checkPart(value: unknown, what: string, options: IdentifierOptions | undefined): string {
  if (typeof value !== 'string') throw new XRoadIdError('BAD_ARGUMENT', `${what} must be a string`);
  const policy = options?.policy ?? 'strict';
  if (policy !== 'strict' && policy !== 'lenient') {
    throw new XRoadIdError('BAD_ARGUMENT', `unknown identifier policy ${String(policy)}`);
  }
  if (value.length === 0) throw new XRoadIdError('EMPTY_PART', `${what} is empty`);
  if (value.length > MAX_IDENTIFIER_PART_LENGTH) {
    throw new XRoadIdError('TOO_LONG', `${what} is longer than ${MAX_IDENTIFIER_PART_LENGTH} characters`);
  }
  if (!isAllowedIdentifierValue(value, policy)) {
    throw new XRoadIdError(
      'INVALID_CHARACTER',
      `${what} contains characters not allowed in X-Road identifiers`,
    );
  }
  // "." and ".." are made of allowed characters, but every URL normaliser between an information system
  // and its Security Server would rewrite them, so such an identifier could never be addressed reliably.
  if (value === '.' || value === '..') throw new XRoadIdError('DOT_SEGMENT', `${what} is "${value}"`);
  return value;
}

/** Checks an optional part: `null`/`undefined` mean absent. */
export function checkOptionalPart(
  value: unknown,
  what: string,
  options: IdentifierOptions | undefined,
): string | null {
  return value === null || value === undefined ? null : checkPart(value, what, options);
}

/**
 * Splits the `/`-separated, per-part percent-encoded form (the X-Road-* header form) into decoded parts,
 * accepting between `min` and `max` parts. Each part is then checked with `checkPart` by the caller.
 */
export function splitEncoded(value: unknown, min: number, max: number, what: string): string[] {
  if (typeof value !== 'string') throw new XRoadIdError('BAD_ARGUMENT', `${what} must be a string`);
  if (value.length > max * (MAX_ENCODED_PART + 1)) throw new XRoadIdError('TOO_LONG', `${what} is too long`);
  // Split with a limit so a value made of slashes cannot allocate a huge array.
  const raw = value.split('/', max + 1);
  if (raw.length < min || raw.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new XRoadIdError('WRONG_PART_COUNT', `${what} must have ${expected} "/"-separated parts`);
  }
  return raw.map((part) => {
    if (part.length > MAX_ENCODED_PART) throw new XRoadIdError('TOO_LONG', `a part of ${what} is too long`);
    return decodeIdentifierPart(part);
  });
}

/** Joins parts in the header form, each part percent-encoded on its own. */
export function joinEncoded(parts: ReadonlyArray<string>): string {
  return parts.map(encodeIdentifierPart).join('/');
}
