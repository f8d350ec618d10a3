import { XRoadIdError } from './errors.js';

/**
 * Percent-encoding of one identifier part (PR-REST §4.2/§4.3: each part is UTF-8, percent-encoded on its
 * own, and the `/` between parts is never encoded). riik encodes everything that is not an RFC 3986
 * `pchar` (unreserved, sub-delims, `:` and `@`), which is what the reference Security Server does for
 * the X-Road-Client / X-Road-Service response headers. Of the §4.8 characters only `?` changes (`%3F`).
 */
export function encodeIdentifierPart(part: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(part);
  } catch (cause) {
    // encodeURIComponent throws only on unpaired surrogates, which no valid part contains.
    throw new XRoadIdError('INVALID_CHARACTER', 'identifier part is not well-formed Unicode', { cause });
  }
  // encodeURIComponent also escapes these pchar characters; RFC 3986 allows them bare in a segment.
  return encoded.replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

const PERCENT_ESCAPES = /^(?:[^%]|%[0-9A-Fa-f]{2})*$/;

/** Decodes one percent-encoded part (UTF-8). `+` stays `+`: form encoding does not apply to paths. */
export function decodeIdentifierPart(encoded: string): string {
  if (!PERCENT_ESCAPES.test(encoded)) {
    throw new XRoadIdError('BAD_PERCENT_ENCODING', 'a "%" is not followed by two hex digits');
  }
  try {
    return decodeURIComponent(encoded);
  } catch (cause) {
    throw new XRoadIdError('BAD_PERCENT_ENCODING', 'percent-escapes are not valid UTF-8', { cause });
  }
}
