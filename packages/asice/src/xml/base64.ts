/** The base64 alphabet with at most two padding characters at the end (length checked apart). */
const PLAIN = /^[A-Za-z0-9+/]*={0,2}$/;
const WHITESPACE = /[ \t\r\n]+/g;

/**
 * Strict base64 for XML content (xs:base64Binary): whitespace between characters is allowed,
 * anything else outside the alphabet, or wrong padding, is not.
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  // most values carry no whitespace: one scan then, instead of a replace and a scan
  let clean = text;
  if (!PLAIN.test(text)) {
    clean = text.replace(WHITESPACE, '');
    if (!PLAIN.test(clean)) return undefined;
  }
  if (clean.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(clean, 'base64');
  // an array of its own (Buffer.from may hand out a slice of a shared pool), copied with set():
  // `new Uint8Array(buffer)` copies element by element
  const out = new Uint8Array(decoded.length);
  out.set(decoded);
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
