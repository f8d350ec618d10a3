import { readTlv, decodeOid, type Tlv } from '../der.js';
import { isPlainString } from './string-values.js';

/**
 * The fields of an X.509 certificate (RFC 5280 §4.1) that riik reads, as byte ranges of the
 * original DER:
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber INTEGER,
 *     signature AlgorithmIdentifier, issuer Name, validity SEQUENCE { notBefore, notAfter },
 *     subject Name, subjectPublicKeyInfo, issuerUniqueID [1], subjectUniqueID [2],
 *     extensions [3] EXPLICIT SEQUENCE OF Extension }
 */
export interface CertificateFields {
  /** TBSCertificate, the signed bytes. */
  readonly tbs: Uint8Array;
  /** 0 for v1, 1 for v2, 2 for v3 (the encoded value). */
  readonly version: number;
  /** INTEGER content octets of serialNumber. */
  readonly serial: Uint8Array;
  /** DER of the issuer and subject Names. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  /** Validity bounds, milliseconds since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** DER of SubjectPublicKeyInfo and the subjectPublicKey BIT STRING contents. */
  readonly spki: Uint8Array;
  readonly publicKeyBits: Uint8Array;
  readonly extensions: readonly CertificateExtension[] | undefined;
  /** DER of the outer signatureAlgorithm, and the signature bits. */
  readonly signatureAlgorithm: Uint8Array;
  readonly signatureValue: Uint8Array;
}

export interface CertificateExtension {
  readonly extnID: string;
  readonly critical: boolean;
  /** Contents of the extnValue OCTET STRING (the extension's own DER). */
  readonly extnValue: Uint8Array;
}

/** Thrown inside the reader only; `readCertificateFields` turns it into `undefined`. */
class NotCanonical extends Error {}

/**
 * The fields of a certificate in canonical DER, read straight off the bytes; `undefined` for
 * anything else, which the caller then hands to the ASN.1 library (asn1js through
 * @peculiar/asn1-x509) exactly as before.
 *
 * Hand-written because a validator meets a new signer certificate in nearly every container, and
 * the library's schema-driven parse of one certificate (about 0.8 ms, plus 0.2 ms re-encoding
 * each Name) cost more than verifying its signature. The reader only accepts what the library
 * reads to the same values: every element is checked for its tag, strict DER lengths, no
 * trailing or extra elements; times are the RFC 5280 forms (UTCTime YYMMDDHHMMSSZ,
 * GeneralizedTime YYYYMMDDHHMMSSZ) with valid calendar values; OIDs minimal. The library decodes
 * ANY values in full, so the reader takes only Name attribute values of the X.520 string types
 * (valid UTF-8, whole BMP and Universal units) and algorithm parameters that are absent, NULL or
 * a named curve. Everything else is left to the library: other values, v2 unique identifiers, an
 * explicitly encoded default version, empty extension lists. Tests compare the two on every
 * certificate in the test data and on single-byte mutations.
 */
export function readCertificateFields(der: Uint8Array): CertificateFields | undefined {
  try {
    return read(der);
  } catch {
    // NotCanonical here, or a PkiError from readTlv / decodeOid: the library decides either way
    return undefined;
  }
}

function fail(): never {
  throw new NotCanonical();
}

function tlv(der: Uint8Array, offset: number, end: number, tag: number): Tlv {
  if (offset >= end) fail();
  const t = readTlv(der, offset);
  if (t.tag !== tag || t.end > end) fail();
  return t;
}

function read(der: Uint8Array): CertificateFields {
  const cert = tlv(der, 0, der.length, 0x30);
  if (cert.end !== der.length) fail();
  const tbs = tlv(der, cert.contentStart, cert.end, 0x30);
  const sigAlg = algorithmIdentifier(der, tbs.end, cert.end);
  const sigValue = bitString(der, sigAlg.end, cert.end);
  if (sigValue.end !== cert.end) fail();

  const end = tbs.end;
  let p = tbs.contentStart;
  let version = 0;
  if (der[p] === 0xa0) {
    const wrapper = tlv(der, p, end, 0xa0);
    const v = tlv(der, wrapper.contentStart, wrapper.end, 0x02);
    // DER omits the DEFAULT v1; v2 and v3 are one octet
    if (v.end !== wrapper.end || v.end - v.contentStart !== 1) fail();
    version = der[v.contentStart]!;
    if (version !== 1 && version !== 2) fail();
    p = wrapper.end;
  }
  const serial = tlv(der, p, end, 0x02);
  if (serial.end === serial.contentStart) fail();
  const innerAlg = algorithmIdentifier(der, serial.end, end);
  const issuer = name(der, innerAlg.end, end);
  const validity = tlv(der, issuer.end, end, 0x30);
  const notBefore = time(der, validity.contentStart, validity.end);
  const notAfter = time(der, notBefore.end, validity.end);
  if (notAfter.end !== validity.end) fail();
  const subject = name(der, validity.end, end);
  const spki = tlv(der, subject.end, end, 0x30);
  const spkiAlg = algorithmIdentifier(der, spki.contentStart, spki.end);
  const key = bitString(der, spkiAlg.end, spki.end);
  if (key.end !== spki.end) fail();
  p = spki.end;
  let extensions: CertificateExtension[] | undefined;
  if (p < end) {
    // issuerUniqueID [1] / subjectUniqueID [2] (v2 certificates) are left to the library
    const wrapper = tlv(der, p, end, 0xa3);
    extensions = readExtensions(der, wrapper);
    p = wrapper.end;
  }
  if (p !== end) fail();
  return {
    tbs: der.subarray(tbs.start, tbs.end),
    version,
    serial: der.subarray(serial.contentStart, serial.end),
    issuer: der.subarray(issuer.start, issuer.end),
    subject: der.subarray(subject.start, subject.end),
    notBefore: notBefore.ms,
    notAfter: notAfter.ms,
    spki: der.subarray(spki.start, spki.end),
    publicKeyBits: der.subarray(key.contentStart + 1, key.end),
    extensions,
    signatureAlgorithm: der.subarray(sigAlg.start, sigAlg.end),
    signatureValue: der.subarray(sigValue.contentStart + 1, sigValue.end),
  };
}

/**
 * AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }, with
 * parameters absent, NULL or a named curve: the library decodes ANY values in full, so anything
 * else (RSASSA-PSS parameters, explicit curves) is left to it.
 */
function algorithmIdentifier(der: Uint8Array, offset: number, end: number): Tlv {
  const seq = tlv(der, offset, end, 0x30);
  const oid = tlv(der, seq.contentStart, seq.end, 0x06);
  decodeOid(der.subarray(oid.contentStart, oid.end));
  if (oid.end < seq.end) {
    const parameters = readTlv(der, oid.end);
    if (parameters.end !== seq.end) fail();
    if (parameters.tag === 0x06) decodeOid(der.subarray(parameters.contentStart, parameters.end));
    else if (parameters.tag !== 0x05 || parameters.end !== parameters.contentStart) fail();
  }
  return seq;
}

/** A BIT STRING whose bits fill whole octets (keys and signatures). */
function bitString(der: Uint8Array, offset: number, end: number): Tlv {
  const bits = tlv(der, offset, end, 0x03);
  if (bits.end === bits.contentStart || der[bits.contentStart] !== 0) fail();
  return bits;
}

/**
 * Name ::= SEQUENCE OF RelativeDistinguishedName, RDN ::= SET SIZE (1..MAX) OF
 * AttributeTypeAndValue, ATV ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }.
 */
function name(der: Uint8Array, offset: number, end: number): Tlv {
  const seq = tlv(der, offset, end, 0x30);
  for (let p = seq.contentStart; p < seq.end;) {
    const rdn = tlv(der, p, seq.end, 0x31);
    if (rdn.end === rdn.contentStart) fail();
    for (let q = rdn.contentStart; q < rdn.end;) {
      const atv = tlv(der, q, rdn.end, 0x30);
      const type = tlv(der, atv.contentStart, atv.end, 0x06);
      decodeOid(der.subarray(type.contentStart, type.end));
      const value = readTlv(der, type.end);
      if (value.end !== atv.end) fail();
      attributeValue(der, value);
      q = atv.end;
    }
    p = rdn.end;
  }
  return seq;
}

/**
 * An attribute value of one of the string types X.520 names use (see isPlainString). Any other
 * value (the library decodes ANY in full and refuses some tags and contents) is left to it.
 */
function attributeValue(der: Uint8Array, value: Tlv): void {
  if (!isPlainString(der, value)) fail();
}

/** Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }, in the RFC 5280 §4.1.2.5 forms. */
function time(der: Uint8Array, offset: number, end: number): { end: number; ms: number } {
  if (offset >= end) fail();
  const t = readTlv(der, offset);
  if (t.end > end) fail();
  const length = t.end - t.contentStart;
  // two decimal digits at content offset i
  const two = (i: number): number => {
    const hi = der[t.contentStart + i]! - 0x30;
    const lo = der[t.contentStart + i + 1]! - 0x30;
    if (hi < 0 || hi > 9 || lo < 0 || lo > 9) fail();
    return hi * 10 + lo;
  };
  let year: number;
  let at: number;
  if (t.tag === 0x17 && length === 13) {
    const yy = two(0);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    at = 2;
  } else if (t.tag === 0x18 && length === 15) {
    year = two(0) * 100 + two(2);
    if (year < 1000) fail(); // Date.UTC would read a two-digit year as 19xx
    at = 4;
  } else {
    return fail();
  }
  if (der[t.end - 1] !== 0x5a) fail(); // 'Z'
  const [month, day, hour, minute, second] = [two(at), two(at + 2), two(at + 4), two(at + 6), two(at + 8)];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    fail();
  return { end: t.end, ms };
}

/** Extensions ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue } */
function readExtensions(der: Uint8Array, wrapper: Tlv): CertificateExtension[] {
  const seq = tlv(der, wrapper.contentStart, wrapper.end, 0x30);
  if (seq.end !== wrapper.end || seq.end === seq.contentStart) fail();
  const out: CertificateExtension[] = [];
  for (let p = seq.contentStart; p < seq.end;) {
    const ext = tlv(der, p, seq.end, 0x30);
    const oid = tlv(der, ext.contentStart, ext.end, 0x06);
    let q = oid.end;
    let critical = false;
    if (der[q] === 0x01) {
      const flag = tlv(der, q, ext.end, 0x01);
      const octet = der[flag.contentStart];
      if (flag.end - flag.contentStart !== 1 || (octet !== 0x00 && octet !== 0xff)) fail();
      critical = octet === 0xff;
      q = flag.end;
    }
    const value = tlv(der, q, ext.end, 0x04);
    if (value.end !== ext.end) fail();
    out.push({
      extnID: decodeOid(der.subarray(oid.contentStart, oid.end)),
      critical,
      extnValue: der.subarray(value.contentStart, value.end),
    });
    p = ext.end;
  }
  return out;
}
