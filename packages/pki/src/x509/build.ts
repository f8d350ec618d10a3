import { randomBytes } from 'node:crypto';
import type { Extension, Name, Time } from '@peculiar/asn1-x509';
import type { HashAlgorithm, Signer } from '@riik/keys';
import { signatureAlgorithm } from '../algorithms.js';
import { arrayBuffer, serializeDer } from '../der.js';
import { PkiError } from '../errors.js';
import { asn1Schema, asn1X509 } from '../lazy-modules.js';
import { Certificate } from './certificate.js';

/**
 * A fresh certificate serial number: 16 random bytes (128 bits, above the CA/B Forum's 64-bit
 * minimum), made positive and minimally encoded (RFC 5280 §4.1.2.2: at most 20 octets).
 */
export function randomSerial(): Uint8Array {
  const raw = randomBytes(16);
  raw[0]! &= 0x7f;
  if (raw[0] === 0) raw[0] = 0x01;
  return new Uint8Array(raw);
}

export interface IssueOptions {
  /** The issuer's key; for a self-signed certificate, the subject's own key. */
  signer: Signer;
  /** The issuer's Name; omitted for self-signed (then the subject is the issuer). */
  issuer?: Name;
  subject: Name;
  /** SubjectPublicKeyInfo DER of the certified key. */
  subjectPublicKeyInfo: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  extensions: Extension[];
  serial?: Uint8Array;
  /** ESTEID2018 signs with ecdsa-with-SHA512 under a P-384 key; riik does the same by default. */
  hash?: HashAlgorithm;
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
function x509Time(date: Date): Time {
  const { Time } = asn1X509();
  return date.getUTCFullYear() < 2050 ? new Time({ utcTime: date }) : new Time({ generalTime: date });
}

/** Build and sign an X.509 v3 certificate. */
export async function issueCertificate(options: IssueOptions): Promise<Certificate> {
  if (options.notAfter <= options.notBefore)
    throw new PkiError('BAD_ARGUMENT', 'notAfter must be after notBefore');
  const { AsnConvert } = asn1Schema();
  const {
    Certificate: AsnCertificate,
    Extensions,
    SubjectPublicKeyInfo,
    TBSCertificate,
    Validity,
    Version,
  } = asn1X509();
  const hash = options.hash ?? 'SHA-512';
  const algorithm = signatureAlgorithm(options.signer, hash);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: arrayBuffer(options.serial ?? randomSerial()),
    signature: algorithm,
    issuer: options.issuer ?? options.subject,
    validity: new Validity(),
    subject: options.subject,
    subjectPublicKeyInfo: AsnConvert.parse(options.subjectPublicKeyInfo, SubjectPublicKeyInfo),
    extensions: new Extensions(options.extensions),
  });
  tbs.validity.notBefore = x509Time(options.notBefore);
  tbs.validity.notAfter = x509Time(options.notAfter);
  const tbsDer = serializeDer(tbs);
  const signature = await options.signer.sign(tbsDer, hash);
  const cert = new AsnCertificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithm,
    signatureValue: arrayBuffer(signature),
  });
  return Certificate.fromDer(serializeDer(cert));
}
