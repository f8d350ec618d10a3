import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
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
  const rdns: RelativeDistinguishedName[] = [];
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

/** The text of every attribute of a given type, in order. */
export function nameValues(name: Name, type: string): string[] {
  const out: string[] = [];
  for (const rdn of name) for (const atv of rdn) if (atv.type === type) out.push(attributeText(atv.value));
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
export function nameToString(name: Name): string {
  const parts: string[] = [];
  for (const rdn of name) {
    parts.push(
      [...rdn]
        .map(
          (atv) =>
            `${SHORT[atv.type] ?? atv.type}=${attributeText(atv.value).replace(/([,+"\\<>;])/g, '\\$1')}`,
        )
        .join('+'),
    );
  }
  return parts.reverse().join(',');
}
