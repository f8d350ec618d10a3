import type { AttributeValue, Name } from '@peculiar/asn1-x509';
import { children, decodeOid, readTlv, type Tlv } from '../der.js';
import { asn1X509 } from '../lazy-modules.js';
import { OID } from '../oids.js';

/** Name attributes riik writes, in the order they appear in a certificate subject. */
export interface NameAttributes {
  C?: string;
  O?: string;
  OU?: string;
  /** organizationIdentifier, e.g. NTREE-70000562 (ETSI EN 319 412-1). */
  organizationIdentifier?: string;
  CN?: string;
  SN?: string;
  GN?: string;
  /** X.520 serialNumber: PNOEE-<code> for persons, the registry code for organisations. */
  serialNumber?: string;
}

const ORDER: Array<[keyof NameAttributes, string, 'printable' | 'utf8']> = [
  ['C', OID.countryName, 'printable'],
  ['O', OID.organizationName, 'utf8'],
  ['OU', OID.organizationalUnitName, 'utf8'],
  ['organizationIdentifier', OID.organizationIdentifier, 'utf8'],
  ['CN', OID.commonName, 'utf8'],
  ['SN', OID.surname, 'utf8'],
  ['GN', OID.givenName, 'utf8'],
  ['serialNumber', OID.serialNumber, 'printable'],
];

/** Build a Name with one attribute per RDN; country and serialNumber are PrintableString (RFC 5280). */
export function buildName(attributes: NameAttributes): Name {
  const { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } = asn1X509();
  const rdns: InstanceType<typeof RelativeDistinguishedName>[] = [];
  for (const [key, type, encoding] of ORDER) {
    const text = attributes[key];
    if (text === undefined) continue;
    const value = new AttributeValue(
      encoding === 'printable' ? { printableString: text } : { utf8String: text },
    );
    rdns.push(new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]));
  }
  return new Name(rdns);
}

const SHORT: Record<string, string> = {
  [OID.countryName]: 'C',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.organizationIdentifier]: 'organizationIdentifier',
  [OID.commonName]: 'CN',
  [OID.surname]: 'SN',
  [OID.givenName]: 'GN',
  [OID.serialNumber]: 'serialNumber',
  [OID.localityName]: 'L',
};

/**
 * A Name as riik reads it: RDNs in encoded order, each attribute's type and its text as the
 * ASN.1 library decodes it (non-string values have no text: '').
 */
export type NameRdns = ReadonlyArray<ReadonlyArray<{ readonly type: string; readonly text: string }>>;

/** A library Name in the model. */
export function rdnsOfName(name: Name): NameRdns {
  return name.map((rdn) => rdn.map((atv) => ({ type: atv.type, text: attributeText(atv.value) })));
}

/**
 * A Name's DER in the model, decoding each string type as asn1js does (TeletexString, PrintableString
 * and IA5String a character per octet, BMPString UTF-16BE units, UniversalString the low 16 bits of
 * each UTF-32BE unit). For a Name `readCertificateFields` accepted: a well-formed RDNSequence whose
 * UTF8String values are valid UTF-8 and whose BMP/Universal strings are whole units. Read by hand
 * because every new signer certificate's subject is shown in the validation report, and the
 * library's parse of a Name cost a quarter of a millisecond.
 */
export function rdnsOfDer(der: Uint8Array): NameRdns {
  return children(der, readTlv(der, 0)).map((rdn) =>
    children(der, rdn).map((atv) => {
      const [type, value] = children(der, atv) as [Tlv, Tlv];
      return { type: decodeOid(der.subarray(type.contentStart, type.end)), text: valueText(der, value) };
    }),
  );
}

function valueText(der: Uint8Array, value: Tlv): string {
  const content = Buffer.from(
    der.buffer,
    der.byteOffset + value.contentStart,
    value.end - value.contentStart,
  );
  switch (value.tag) {
    case 0x0c: // UTF8String
      return content.toString('utf8');
    case 0x13: // PrintableString
    case 0x14: // TeletexString
    case 0x16: // IA5String
      return content.toString('latin1');
    case 0x1e: {
      // BMPString
      let text = '';
      for (let i = 0; i + 1 < content.length; i += 2) text += String.fromCharCode(content.readUInt16BE(i));
      return text;
    }
    case 0x1c: {
      // UniversalString
      let text = '';
      for (let i = 0; i + 3 < content.length; i += 4)
        text += String.fromCharCode(content.readUInt16BE(i + 2));
      return text;
    }
    default:
      return '';
  }
}

/** The text of every attribute of a given type, in order. */
export function nameValues(name: NameRdns, type: string): string[] {
  const out: string[] = [];
  for (const rdn of name) for (const atv of rdn) if (atv.type === type) out.push(atv.text);
  return out;
}

export function attributeText(value: AttributeValue): string {
  return (
    value.utf8String ??
    value.printableString ??
    value.ia5String ??
    value.bmpString ??
    value.teletexString ??
    value.universalString ??
    ''
  );
}

/** A readable one-line form (RFC 4514 order: most specific first), for logs and reports. */
export function nameToString(name: NameRdns): string {
  const parts: string[] = [];
  for (const rdn of name) {
    parts.push(
      rdn
        .map((atv) => `${SHORT[atv.type] ?? atv.type}=${atv.text.replace(/([,+"\\<>;])/g, '\\$1')}`)
        .join('+'),
    );
  }
  return parts.reverse().join(',');
}
