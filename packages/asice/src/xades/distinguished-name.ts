/**
 * Distinguished names in the two forms XAdES puts side by side: the DER Name inside a certificate
 * and the RFC 4514 string in ds:X509IssuerName. Both become the same model — RDNs in DER order,
 * each a set of (attribute type OID, value) — and are compared the way LDAP's distinguishedNameMatch
 * does for the string types certificates use (case-insensitive, insignificant whitespace removed,
 * RFC 4518 in outline). Values that are not strings are compared as DER.
 */
import { children, decodeOid, readTlv, type Tlv } from '@riik/pki/der';
import { PkiError } from '@riik/pki/errors';
import { AsiceError } from '../errors.js';

export interface AttributeValue {
  readonly type: string; // dotted OID
  /** Decoded string value, or undefined when the value is not a string type. */
  readonly text?: string;
  /** Hex of the value's DER when it is not a string (or when given as #hex and not decodable). */
  readonly derHex?: string;
}

/** RDNs in DER order (most significant first, the reverse of the RFC 4514 string). */
export type DistinguishedName = ReadonlyArray<ReadonlyArray<AttributeValue>>;

const SHORT_NAMES: Record<string, string> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SURNAME: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  S: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  TITLE: '2.5.4.12',
  GIVENNAME: '2.5.4.42',
  G: '2.5.4.42',
  GN: '2.5.4.42',
  INITIALS: '2.5.4.43',
  GENERATIONQUALIFIER: '2.5.4.44',
  DNQUALIFIER: '2.5.4.46',
  PSEUDONYM: '2.5.4.65',
  ORGANIZATIONIDENTIFIER: '2.5.4.97',
  E: '1.2.840.113549.1.9.1',
  EMAIL: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
};

function bad(message: string): AsiceError {
  return new AsiceError('XADES_MALFORMED', message);
}

/** A DER-encoded Name (RDNSequence), e.g. a certificate's issuer as it encodes it. */
export function parseNameDer(der: Uint8Array): DistinguishedName {
  try {
    const name = readTlv(der, 0);
    if (name.end !== der.length) throw bad('trailing bytes after the Name');
    return parseName(der, name);
  } catch (err) {
    if (err instanceof PkiError) throw bad(`Name is not valid DER: ${err.message}`);
    throw err;
  }
}

/** The Name at `tlv` inside `der`. */
export function parseName(der: Uint8Array, tlv: Tlv): DistinguishedName {
  if (tlv.tag !== 0x30) throw bad('Name is not a SEQUENCE');
  return children(der, tlv).map((rdn) => {
    if (rdn.tag !== 0x31) throw bad('RDN is not a SET');
    return children(der, rdn).map((atv) => {
      if (atv.tag !== 0x30) throw bad('AttributeTypeAndValue is not a SEQUENCE');
      const [type, value] = children(der, atv);
      if (type?.tag !== 0x06 || !value) throw bad('malformed AttributeTypeAndValue');
      return attributeValue(decodeOid(der.subarray(type.contentStart, type.end)), der, value);
    });
  });
}

function attributeValue(type: string, der: Uint8Array, value: Tlv): AttributeValue {
  const text = stringValue(der, value);
  if (text !== undefined) return { type, text };
  return { type, derHex: Buffer.from(der.subarray(value.start, value.end)).toString('hex') };
}

/** The string types of X.520 attribute values, decoded (Teletex read as Latin-1, as most do). */
function stringValue(der: Uint8Array, value: Tlv): string | undefined {
  const content = Buffer.from(der.subarray(value.contentStart, value.end));
  switch (value.tag) {
    case 0x0c: // UTF8String
      return content.toString('utf8');
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x14: // TeletexString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return content.toString('latin1');
    case 0x1e: // BMPString: UCS-2 big-endian
      return content.length % 2 === 0 ? Buffer.from(content).swap16().toString('utf16le') : undefined;
    case 0x1c: {
      // UniversalString: UCS-4 big-endian
      if (content.length % 4 !== 0) return undefined;
      let text = '';
      for (let i = 0; i < content.length; i += 4) text += String.fromCodePoint(content.readUInt32BE(i));
      return text;
    }
    default:
      return undefined;
  }
}

/** An RFC 4514 (or RFC 2253) distinguished name string. */
export function parseStringName(text: string): DistinguishedName {
  const rdns: AttributeValue[][] = [];
  let i = 0;
  const s = text.trim();
  if (s === '') return [];
  while (i <= s.length) {
    const rdn: AttributeValue[] = [];
    for (;;) {
      const eq = s.indexOf('=', i);
      if (eq < 0) throw bad(`malformed distinguished name ${JSON.stringify(text)}`);
      const type = attributeType(s.slice(i, eq).trim());
      const { value, end } = readValue(s, eq + 1);
      rdn.push(value.hex ? hexValue(type, value.text) : { type, text: value.text });
      i = end;
      if (s[i] === '+') {
        i++;
        continue;
      }
      break;
    }
    rdns.push(rdn);
    if (i >= s.length) break;
    if (s[i] !== ',' && s[i] !== ';') throw bad(`malformed distinguished name ${JSON.stringify(text)}`);
    i++;
  }
  return rdns.reverse();
}

function attributeType(name: string): string {
  const upper = name.toUpperCase().replace(/^OID\./, '');
  if (/^\d+(\.\d+)+$/.test(upper)) return upper;
  const oid = SHORT_NAMES[upper];
  if (!oid) throw bad(`unknown attribute type ${name} in distinguished name`);
  return oid;
}

interface RawValue {
  text: string;
  /** True when the value was written as `#` followed by hex BER. */
  hex: boolean;
}

function readValue(s: string, start: number): { value: RawValue; end: number } {
  let i = start;
  while (s[i] === ' ') i++;
  if (s[i] === '#') {
    let j = i + 1;
    while (j < s.length && /[0-9A-Fa-f]/.test(s[j]!)) j++;
    const text = s.slice(i, j);
    let end = j;
    while (s[end] === ' ') end++;
    return { value: { text, hex: true }, end };
  }
  const bytes: number[] = [];
  let quoted = false;
  if (s[i] === '"') {
    quoted = true;
    i++;
  }
  let trailingSpaces = 0;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (quoted && c === '"') {
      i++;
      break;
    }
    if (!quoted && (c === ',' || c === ';' || c === '+')) break;
    if (c === '\\') {
      const hex = s.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else if (i + 1 < s.length) {
        bytes.push(...Buffer.from(s[i + 1]!, 'utf8'));
        i += 1;
      }
      trailingSpaces = 0;
      continue;
    }
    trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0;
    bytes.push(...Buffer.from(c, 'utf8'));
  }
  while (s[i] === ' ') i++;
  const text = Buffer.from(bytes.slice(0, bytes.length - (quoted ? 0 : trailingSpaces))).toString('utf8');
  return { value: { text, hex: false }, end: i };
}

/** `#` followed by the BER of the value: decoded to its string when it is a string type. */
function hexValue(type: string, hashHex: string): AttributeValue {
  const der = Buffer.from(hashHex.slice(1), 'hex');
  try {
    const tlv = readTlv(der, 0);
    const text = tlv.end === der.length ? stringValue(der, tlv) : undefined;
    if (text !== undefined) return { type, text };
  } catch {
    // not DER: compared as the bytes written
  }
  return { type, derHex: der.toString('hex') };
}

/** distinguishedNameMatch: same RDN sequence, each RDN the same set of attribute values. */
export function namesEqual(a: DistinguishedName, b: DistinguishedName): boolean {
  if (a.length !== b.length) return false;
  return a.every((rdn, i) => {
    const other = b[i]!;
    if (rdn.length !== other.length) return false;
    const keys = new Set(other.map(valueKey));
    return rdn.every((v) => keys.has(valueKey(v)));
  });
}

function valueKey(v: AttributeValue): string {
  const value =
    v.text !== undefined
      ? `s:${v.text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase()}`
      : `d:${v.derHex}`;
  return `${v.type}=${value}`;
}
