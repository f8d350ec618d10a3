import { createHash } from 'node:crypto';
import { bytesEqual } from '@riik/core';
import {
  children,
  decodeOid,
  encodeOctetString,
  encodeSequence,
  encodeTlv,
  readTlv,
  type Tlv,
} from '../der.js';
import { PkiError } from '../errors.js';
import { OID } from '../oids.js';
import type { Certificate } from '../x509/certificate.js';

/**
 * ESS signing-certificate attributes (RFC 2634 §5.4 SigningCertificate with SHA-1 ESSCertID,
 * RFC 5035 SigningCertificateV2 with ESSCertIDv2, required for time-stamp tokens by RFC 5816):
 * they bind the signature to one certificate, so a token cannot be re-attributed to another
 * certificate with the same key.
 */
export interface EssCertId {
  /** node:crypto name of the hash over the certificate DER. */
  hash: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  certHash: Uint8Array;
  /** DER of the issuer Name in IssuerSerial, when present. */
  issuerNameDer?: Uint8Array;
  /** INTEGER content of the serial in IssuerSerial, when present. */
  serial?: Uint8Array;
}

const RAW_ISSUER_AND_SERIAL = new WeakMap<Certificate, { issuer: Uint8Array; serial: Uint8Array }>();

/**
 * The issuer Name and serial INTEGER, as encoded inside a certificate (not re-encoded). Read once
 * per certificate: every token's signer identifier and ESSCertID is compared with them.
 */
export function rawIssuerAndSerial(cert: Certificate): { issuer: Uint8Array; serial: Uint8Array } {
  let raw = RAW_ISSUER_AND_SERIAL.get(cert);
  if (!raw) {
    raw = readIssuerAndSerial(cert);
    RAW_ISSUER_AND_SERIAL.set(cert, raw);
  }
  return { issuer: raw.issuer, serial: raw.serial };
}

function readIssuerAndSerial(cert: Certificate): { issuer: Uint8Array; serial: Uint8Array } {
  const tbs = cert.tbsDer;
  const fields = children(tbs, readTlv(tbs, 0));
  const at = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] version is optional
  const serial = fields[at];
  const issuer = fields[at + 2];
  if (!serial || !issuer || serial.tag !== 0x02 || issuer.tag !== 0x30)
    throw new PkiError('MALFORMED_DER', 'certificate has no issuer and serial');
  return {
    issuer: tbs.subarray(issuer.start, issuer.end),
    serial: tbs.subarray(serial.contentStart, serial.end),
  };
}

/** IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }. */
function issuerSerial(cert: Certificate): Uint8Array {
  const { issuer, serial } = rawIssuerAndSerial(cert);
  // GeneralNames ::= SEQUENCE OF GeneralName; directoryName [4] Name (explicit: Name is a CHOICE).
  return encodeSequence([encodeSequence([encodeTlv(0xa4, issuer)]), encodeTlv(0x02, serial)]);
}

/**
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } with one ESSCertIDv2 for
 * `cert`: SHA-256 (the DEFAULT, so hashAlgorithm is omitted in DER), certHash, IssuerSerial.
 */
export function encodeSigningCertificateV2(cert: Certificate): Uint8Array {
  const certHash = createHash('sha256').update(cert.der).digest();
  return encodeSequence([
    encodeSequence([encodeSequence([encodeOctetString(certHash), issuerSerial(cert)])]),
  ]);
}

const V2_HASHES: Record<string, EssCertId['hash']> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

function parseIssuerSerial(der: Uint8Array, tlv: Tlv): { issuerNameDer?: Uint8Array; serial: Uint8Array } {
  const [names, serial] = children(der, tlv);
  if (!names || names.tag !== 0x30 || !serial || serial.tag !== 0x02)
    throw new PkiError('MALFORMED_DER', 'bad IssuerSerial');
  const directory = children(der, names).find((n) => n.tag === 0xa4);
  const name = directory ? children(der, directory)[0] : undefined;
  return {
    ...(name ? { issuerNameDer: der.subarray(name.start, name.end) } : {}),
    serial: der.subarray(serial.contentStart, serial.end),
  };
}

/**
 * The ESSCertID(v2) entries of a SigningCertificate (`v2` false) or SigningCertificateV2 (`v2`
 * true) attribute value. Throws MALFORMED_DER on anything else.
 */
export function parseSigningCertificate(der: Uint8Array, v2: boolean): EssCertId[] {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length)
    throw new PkiError('MALFORMED_DER', 'bad SigningCertificate');
  const certs = children(der, outer)[0];
  if (!certs || certs.tag !== 0x30) throw new PkiError('MALFORMED_DER', 'SigningCertificate without certs');
  return children(der, certs).map((id) => {
    if (id.tag !== 0x30) throw new PkiError('MALFORMED_DER', 'bad ESSCertID');
    const parts = children(der, id);
    let p = 0;
    let hash: EssCertId['hash'] = v2 ? 'sha256' : 'sha1';
    if (v2 && parts[p]?.tag === 0x30) {
      const alg = children(der, parts[p++]!)[0];
      if (!alg || alg.tag !== 0x06) throw new PkiError('MALFORMED_DER', 'bad ESSCertIDv2 hashAlgorithm');
      const oid = decodeOid(der.subarray(alg.contentStart, alg.end));
      const known = V2_HASHES[oid];
      if (!known) throw new PkiError('UNSUPPORTED_ALGORITHM', `ESSCertIDv2 hash ${oid}`);
      hash = known;
    }
    const certHash = parts[p++];
    if (!certHash || certHash.tag !== 0x04) throw new PkiError('MALFORMED_DER', 'ESSCertID without certHash');
    const result: EssCertId = { hash, certHash: der.subarray(certHash.contentStart, certHash.end) };
    const is = parts[p];
    return is ? { ...result, ...parseIssuerSerial(der, is) } : result;
  });
}

/** Whether an ESSCertID names `cert`: the hash of its DER, and issuer and serial when given. */
export function essCertIdMatches(id: EssCertId, cert: Certificate): boolean {
  if (!bytesEqual(cert.digest(id.hash), id.certHash)) return false;
  if (id.serial === undefined) return true;
  const own = rawIssuerAndSerial(cert);
  if (!bytesEqual(own.serial, id.serial)) return false;
  return id.issuerNameDer === undefined || bytesEqual(own.issuer, id.issuerNameDer);
}
