/**
 * The little of X.509 this layer needs: a certificate's public key (for the SignatureValue),
 * issuer name and serial number (for XAdES IssuerSerial) and validity (for messages). Parsing
 * beyond that — extensions, chains, revocation — belongs to @riik/pki and its PKI checks.
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsiceError } from '../errors.js';
import type { HashName } from '../xmldsig/algorithms.js';
import { formatName, parseDerName, type DistinguishedName } from './name.js';

export interface CertificateInfo {
  readonly der: Uint8Array;
  readonly publicKey: KeyObject;
  readonly serialNumber: bigint;
  readonly issuer: DistinguishedName;
  /** The issuer Name and serialNumber INTEGER exactly as encoded in the certificate (TLV). */
  readonly issuerDer: Uint8Array;
  readonly serialNumberDer: Uint8Array;
  readonly subject: DistinguishedName;
  /** Human-readable subject for messages. */
  readonly subjectText: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export function readCertificate(der: Uint8Array): CertificateInfo {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (cause) {
    throw new AsiceError('XADES_MALFORMED', 'not a DER X.509 certificate', { cause });
  }
  const parsed = asn1js.fromBER(der);
  const tbs = sequenceItems(sequenceItems(parsed.result)[0]);
  // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity, subject, ... }
  const offset = tbs[0]?.idBlock.tagClass === 3 ? 1 : 0;
  const serial = tbs[offset];
  const issuer = tbs[offset + 2];
  const subject = tbs[offset + 4];
  if (!(serial instanceof asn1js.Integer) || !issuer || !subject) {
    throw new AsiceError('XADES_MALFORMED', 'certificate TBSCertificate is malformed');
  }
  return {
    der,
    publicKey: x509.publicKey,
    serialNumber: integerValue(serial),
    issuer: parseDerName(issuer),
    issuerDer: new Uint8Array(issuer.valueBeforeDecodeView),
    serialNumberDer: new Uint8Array(serial.valueBeforeDecodeView),
    subject: parseDerName(subject),
    subjectText: formatName(parseDerName(subject)),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
}

export function certificateDigest(der: Uint8Array, hash: HashName): Uint8Array {
  return new Uint8Array(createHash(hash).update(der).digest());
}

export function sequenceItems(block: asn1js.AsnType | undefined): asn1js.AsnType[] {
  if (
    !(block instanceof asn1js.Sequence) &&
    !(block instanceof asn1js.Set) &&
    !(block instanceof asn1js.Constructed)
  ) {
    throw new AsiceError('XADES_MALFORMED', 'expected an ASN.1 SEQUENCE');
  }
  return block.valueBlock.value;
}

export function integerValue(int: asn1js.Integer): bigint {
  const bytes = int.valueBlock.valueHexView;
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  if (bytes.length > 0 && bytes[0]! & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}
