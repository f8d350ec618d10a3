/** Text rules shared by notes, keys and checkpoints. */

/**
 * Key names (and signer names) per C2SP signed-note and Go's isValidName: non-empty, no Unicode
 * space (the White_Space property, as Go's unicode.IsSpace), no plus, well-formed.
 */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\p{White_Space}+]/u.test(name) && isWellFormed(name);
}

/** No lone UTF-16 surrogates, i.e. the string encodes to UTF-8 without replacement. */
export function isWellFormed(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}

/** Only newline among the ASCII control characters (those below U+0020). */
export function hasOnlyNewlineControls(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- the control characters are what is being matched
  return !/[\u0000-\u0009\u000b-\u001f]/.test(text);
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 with padding (RFC 4648 §4), as Go's base64.StdEncoding decodes it: no other
 * characters, no missing padding. Like Go, unused trailing bits are not checked; use
 * decodeCanonicalBase64 where the encoding must be unique. Undefined when malformed.
 */
export function decodeStdBase64(text: string): Uint8Array | undefined {
  if (!STD_BASE64.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** decodeStdBase64, also refusing any encoding other than the one encodeStdBase64 would give. */
export function decodeCanonicalBase64(text: string): Uint8Array | undefined {
  const bytes = decodeStdBase64(text);
  return bytes !== undefined && encodeStdBase64(bytes) === text ? bytes : undefined;
}

export function encodeStdBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** uint32 key ID as 8 lowercase hex digits. */
export function formatKeyId(keyId: number): string {
  return (keyId >>> 0).toString(16).padStart(8, '0');
}

export const utf8 = new TextEncoder();
export const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
