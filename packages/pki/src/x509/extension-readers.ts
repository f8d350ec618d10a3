import { children, decodeOid, readTlv, type Tlv } from '../der.js';
import { isPlainString } from './string-values.js';

/**
 * Readers for the certificate extensions a validator asks about for every new signer certificate
 * (key usage, key identifiers, basic constraints, extended key usage, certificate policies, QC
 * statements), straight from the extension's DER. Each returns `undefined` for anything but the plain canonical form, and the
 * caller then parses the value with the ASN.1 library as before, so both give the same answers
 * and the library still reports malformed values. Hand-written because the library's parse of
 * these values took longer than verifying the certificate's signature, and so that a short-lived
 * `riik verify` need not load the library at all.
 */

/** The one element `der` holds, of the given tag; throws when it is anything else. */
function only(der: Uint8Array, tag: number): Tlv {
  const tlv = readTlv(der, 0);
  if (tlv.tag !== tag || tlv.end !== der.length) throw new Error('not canonical');
  return tlv;
}

/** The elements of a SEQUENCE OF that is all of `der`, at least one (the library decides the rest). */
function sequenceOf(der: Uint8Array): Tlv[] {
  const items = children(der, only(der, 0x30));
  if (items.length === 0) throw new Error('not canonical');
  return items;
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * KeyUsage ::= BIT STRING, as the flags number the library's `toNumber` gives: named bit i
 * (digitalSignature = 0) is 2^i. One or two octets of bits.
 */
export function readKeyUsageFlags(der: Uint8Array): number | undefined {
  return attempt(() => {
    const bits = only(der, 0x03);
    const octets = bits.end - bits.contentStart - 1;
    const unused = der[bits.contentStart]!;
    if (octets < 1 || octets > 2 || unused > 7) return undefined;
    let flags = 0;
    for (let i = 0; i < octets * 8 - unused; i++) {
      if ((der[bits.contentStart + 1 + (i >> 3)]! >> (7 - (i & 7))) & 1) flags |= 1 << i;
    }
    return flags;
  });
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING } and nothing else. */
export function readAuthorityKeyIdentifier(der: Uint8Array): Uint8Array | undefined {
  return attempt(() => {
    const [keyIdentifier, ...rest] = children(der, only(der, 0x30));
    if (keyIdentifier?.tag !== 0x80 || rest.length > 0) return undefined;
    return der.subarray(keyIdentifier.contentStart, keyIdentifier.end);
  });
}

/** SubjectKeyIdentifier ::= KeyIdentifier (OCTET STRING). */
export function readSubjectKeyIdentifier(der: Uint8Array): Uint8Array | undefined {
  return attempt(() => {
    const id = only(der, 0x04);
    return der.subarray(id.contentStart, id.end);
  });
}

/**
 * BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX)
 * OPTIONAL }, with a one-octet path length.
 */
export function readBasicConstraints(der: Uint8Array): { ca: boolean; pathLength?: number } | undefined {
  return attempt(() => {
    const items = children(der, only(der, 0x30));
    let i = 0;
    let ca = false;
    const flag = items[i];
    if (flag?.tag === 0x01) {
      const octet = der[flag.contentStart];
      if (flag.end - flag.contentStart !== 1 || (octet !== 0x00 && octet !== 0xff)) return undefined;
      ca = octet === 0xff;
      i++;
    }
    const length = items[i];
    if (!length) return items.length === i ? { ca } : undefined;
    const octet = der[length.contentStart]!;
    if (length.tag !== 0x02 || length.end - length.contentStart !== 1 || octet > 0x7f || items.length > i + 1)
      return undefined;
    return { ca, pathLength: octet };
  });
}

/**
 * CertificatePolicies ::= SEQUENCE OF PolicyInformation { policyIdentifier OBJECT IDENTIFIER,
 * policyQualifiers SEQUENCE OF PolicyQualifierInfo { OBJECT IDENTIFIER, ANY } OPTIONAL }: the
 * policy identifiers.
 */
export function readPolicyIdentifiers(der: Uint8Array): string[] | undefined {
  return attempt(() =>
    sequenceOf(der).map((info) => {
      if (info.tag !== 0x30) throw new Error('not canonical');
      const [id, qualifiers, extra] = children(der, info);
      if (id?.tag !== 0x06 || extra) throw new Error('not canonical');
      if (qualifiers) {
        if (qualifiers.tag !== 0x30) throw new Error('not canonical');
        const list = children(der, qualifiers);
        if (list.length === 0) throw new Error('not canonical');
        for (const q of list) oidAndOneValue(der, q);
      }
      return decodeOid(der.subarray(id.contentStart, id.end));
    }),
  );
}

/** QCStatements ::= SEQUENCE OF QCStatement { statementId OBJECT IDENTIFIER, statementInfo ANY OPTIONAL } */
export function readQcStatements(
  der: Uint8Array,
): Array<{ statementId: string; statementInfo?: Uint8Array }> | undefined {
  return attempt(() =>
    sequenceOf(der).map((statement) => {
      if (statement.tag !== 0x30) throw new Error('not canonical');
      const [id, info, extra] = children(der, statement);
      if (id?.tag !== 0x06 || extra) throw new Error('not canonical');
      const statementId = decodeOid(der.subarray(id.contentStart, id.end));
      if (!info) return { statementId };
      plainValue(der, info, 0);
      return { statementId, statementInfo: der.subarray(info.start, info.end) };
    }),
  );
}

/** SEQUENCE OF OBJECT IDENTIFIER (ExtKeyUsageSyntax, RFC 5280 §4.2.1.12; QcType, ETSI EN 319 412-5 §4.2.3). */
export function readOidSequence(der: Uint8Array): string[] | undefined {
  return attempt(() =>
    sequenceOf(der).map((oid) => {
      if (oid.tag !== 0x06) throw new Error('not canonical');
      return decodeOid(der.subarray(oid.contentStart, oid.end));
    }),
  );
}

/** SEQUENCE { OBJECT IDENTIFIER, ANY } */
function oidAndOneValue(der: Uint8Array, tlv: Tlv): void {
  if (tlv.tag !== 0x30) throw new Error('not canonical');
  const [id, value, extra] = children(der, tlv);
  if (id?.tag !== 0x06 || !value || extra) throw new Error('not canonical');
  decodeOid(der.subarray(id.contentStart, id.end));
  plainValue(der, value, 0);
}

/**
 * An ANY value the library decodes in full without complaint: SEQUENCE / SET of such values,
 * OBJECT IDENTIFIER, INTEGER, BOOLEAN, NULL, OCTET STRING and the X.520 string types (policy
 * qualifiers; QcType, QcPDS, QcEuRetentionPeriod statement information). Throws for anything else.
 */
function plainValue(der: Uint8Array, tlv: Tlv, depth: number): void {
  const length = tlv.end - tlv.contentStart;
  const content = () => der.subarray(tlv.contentStart, tlv.end);
  switch (tlv.tag) {
    case 0x30:
    case 0x31:
      if (depth > 8) break;
      for (const child of children(der, tlv)) plainValue(der, child, depth + 1);
      return;
    case 0x06:
      decodeOid(content());
      return;
    case 0x02:
      if (length > 0) return;
      break;
    case 0x01:
      if (length === 1) return;
      break;
    case 0x05:
      if (length === 0) return;
      break;
    case 0x04: // OCTET STRING
      return;
    default:
      if (isPlainString(der, tlv)) return;
  }
  throw new Error('not canonical');
}
