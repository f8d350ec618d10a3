/**
 * The characters X-Road identifiers may use: PR-REST §4.8 and PR-MESS §2.7 ("Identifier Character
 * Restrictions", stricter since PR-REST 1.0.3): letters `A-Z a-z`, digits `0-9` and `' ( ) + , - . = ?`.
 * They apply to every identifier part: instance, member class and code, subsystem, service code and
 * version, security server code and group codes.
 */
const IDENTIFIER_VALUE = /^[A-Za-z0-9'()+,\-.=?]+$/;

/** True when `value` is a non-empty string of PR-REST §4.8 identifier characters only. */
export function isValidIdentifierValue(value: string): boolean {
  return IDENTIFIER_VALUE.test(value);
}

/**
 * The longest identifier part riik accepts, in UTF-16 code units after percent-decoding. X-Road keeps
 * identifier parts in 255-character database columns, so nothing longer can be registered anywhere.
 */
export const MAX_IDENTIFIER_PART_LENGTH = 255;

/**
 * How strictly identifier parts are checked.
 *
 * - `strict` (the default everywhere): PR-REST §4.8 characters only.
 * - `lenient`: any character except controls (C0, DEL, C1) and unpaired surrogates. The reference
 *   Security Server only logs a warning for other characters (identifiers registered before the 2023
 *   restriction may contain spaces), so a bridge to such an instance may need this.
 */
export type IdentifierPolicy = 'strict' | 'lenient';

// C0 controls, DEL, C1 controls, and UTF-16 surrogates that are not part of a pair.
/* eslint-disable no-control-regex -- matching control characters is the point */
const FORBIDDEN_ALWAYS =
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/* eslint-enable no-control-regex */

/** True when `value` may be an identifier part under `policy` (length is checked separately). */
export function isAllowedIdentifierValue(value: string, policy: IdentifierPolicy): boolean {
  if (value.length === 0) return false;
  return policy === 'strict' ? isValidIdentifierValue(value) : !FORBIDDEN_ALWAYS.test(value);
}
