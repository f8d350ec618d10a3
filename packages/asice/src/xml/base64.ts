/**
 * Strict base64 for XML content (xs:base64Binary): whitespace between characters is allowed,
 * anything else outside the alphabet, or wrong padding, is not.
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  const clean = text.replace(/[ \t\r\n]+/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) {
    return undefined;
  }
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
