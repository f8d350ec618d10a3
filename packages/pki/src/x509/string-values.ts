import type { Tlv } from '../der.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether `tlv` holds a value of one of the string types names and extensions use that the ASN.1
 * library decodes without fail and without changing: any Numeric/Printable/Teletex/IA5/Visible
 * string, valid UTF-8, whole BMP (UTF-16) and Universal (UTF-32) units. False for anything else,
 * which the hand-written readers leave to the library.
 */
export function isPlainString(der: Uint8Array, tlv: Tlv): boolean {
  const length = tlv.end - tlv.contentStart;
  switch (tlv.tag) {
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x14: // TeletexString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return true;
    case 0x0c: // UTF8String
      try {
        UTF8.decode(der.subarray(tlv.contentStart, tlv.end));
        return true;
      } catch {
        return false;
      }
    case 0x1e: // BMPString
      return length % 2 === 0;
    case 0x1c: // UniversalString
      return length % 4 === 0;
    default:
      return false;
  }
}
