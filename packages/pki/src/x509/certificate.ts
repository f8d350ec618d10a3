import { createHash, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate as AsnCertificate,
  CertificatePolicies,
  CRLDistributionPoints,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  type Extension,
  type Name,
} from '@peculiar/asn1-x509';
import { QCStatements } from '@peculiar/asn1-x509-qualified';
import { bytesEqual, fromPemAll, toHex, toPem } from '@riik/core';
import { publicKeyFromSpki, verifySignature } from '../algorithms.js';
import { bytes, firstElementBytes, parseDer, serializeDer } from '../der.js';
import { PkiError } from '../errors.js';
import { OID } from '../oids.js';
import { QcTypeSequence } from './qc.js';
import { nameToString, nameValues } from './name.js';

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_FLAGS: Array<[KeyUsageName, number]> = [
  ['digitalSignature', KeyUsageFlags.digitalSignature],
  ['nonRepudiation', KeyUsageFlags.nonRepudiation],
  ['keyEncipherment', KeyUsageFlags.keyEncipherment],
  ['dataEncipherment', KeyUsageFlags.dataEncipherment],
  ['keyAgreement', KeyUsageFlags.keyAgreement],
  ['keyCertSign', KeyUsageFlags.keyCertSign],
  ['cRLSign', KeyUsageFlags.cRLSign],
  ['encipherOnly', KeyUsageFlags.encipherOnly],
  ['decipherOnly', KeyUsageFlags.decipherOnly],
];

/** Certificates parsed so far (see Certificate.fromDer), by SHA-256 of their DER. */
const PARSED = new Map<string, Certificate>();
const PARSED_LIMIT = 2_000;

/**
 * A parsed X.509 certificate with the fields riik reads, computed once. Construct with
 * `Certificate.fromDer` / `fromPem`; the original DER is kept and is what gets hashed and
 * re-emitted, never a re-encoding.
 */
export class Certificate {
  readonly der: Uint8Array;
  readonly asn: AsnCertificate;
  /** The exact signed bytes (TBSCertificate) from the original encoding. */
  readonly tbsDer: Uint8Array;
  private cachedKey?: KeyObject;
  /** Verified issuers: a certificate and its issuer never change, so neither does the answer. */
  private readonly signedBy = new WeakMap<Certificate, boolean>();
  /**
   * Values derived from the DER (encodings, names, parsed extensions, digests), computed once:
   * every signature, token and OCSP response a validator reads asks the same questions of the
   * same CA, TSA and responder certificates. Keys are constant strings (extension OIDs for
   * extensions), so a lookup allocates nothing.
   */
  private readonly derived = new Map<string, unknown>();

  private memo<T>(key: string, compute: () => T): T {
    let value = this.derived.get(key) as T | undefined;
    if (value === undefined && !this.derived.has(key)) {
      value = compute();
      this.derived.set(key, value);
    }
    return value as T;
  }

  private constructor(der: Uint8Array) {
    this.der = der;
    this.asn = parseDer(der, AsnCertificate, 'certificate');
    this.tbsDer = firstElementBytes(der);
  }

  /** The subjectPublicKey bits inside SubjectPublicKeyInfo DER. */
  static spkiBits(spki: Uint8Array): Uint8Array {
    return bytes(parseDer(spki, SubjectPublicKeyInfo, 'public key').subjectPublicKey);
  }

  /**
   * The certificate for these DER bytes. Parsed certificates are immutable values, and the same
   * CA, TSA and OCSP responder certificates arrive again and again (in every signature, token and
   * response a validator reads), so one object per certificate is kept in a bounded cache: its
   * parse, public key, derived values and verified issuers are then done once.
   */
  static fromDer(der: Uint8Array): Certificate {
    const key = createHash('sha256').update(der).digest('base64');
    const known = PARSED.get(key);
    if (known) return known;
    const cert = new Certificate(new Uint8Array(der));
    if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
    PARSED.set(key, cert);
    return cert;
  }

  /** All certificates in a PEM text, in order. */
  static allFromPem(pem: string): Certificate[] {
    try {
      return fromPemAll('CERTIFICATE', pem).map((d) => Certificate.fromDer(d));
    } catch (err) {
      if (err instanceof PkiError) throw err;
      throw new PkiError('MALFORMED_DER', 'no certificate in PEM text', { cause: err });
    }
  }

  static fromPem(pem: string): Certificate {
    return Certificate.allFromPem(pem)[0]!;
  }

  /** Accept PEM text or DER bytes. */
  static from(input: string | Uint8Array): Certificate {
    if (typeof input === 'string') return Certificate.fromPem(input);
    return input[0] === 0x2d
      ? Certificate.fromPem(Buffer.from(input).toString('latin1'))
      : Certificate.fromDer(input);
  }

  toPem(): string {
    return toPem('CERTIFICATE', this.der);
  }

  get tbs() {
    return this.asn.tbsCertificate;
  }
  get version(): number {
    return this.tbs.version + 1;
  }
  /** Serial number as lowercase hex of its DER INTEGER content (leading zero kept as encoded). */
  get serialHex(): string {
    return toHex(bytes(this.tbs.serialNumber));
  }
  get subject(): Name {
    return this.tbs.subject;
  }
  get issuer(): Name {
    return this.tbs.issuer;
  }
  get subjectString(): string {
    return this.memo('subjectString', () => nameToString(this.subject));
  }
  get issuerString(): string {
    return this.memo('issuerString', () => nameToString(this.issuer));
  }
  /** DER of the subject Name, as CertID / chain matching need it. */
  get subjectDer(): Uint8Array {
    return this.memo('subjectDer', () => serializeDer(this.subject));
  }
  get issuerDer(): Uint8Array {
    return this.memo('issuerDer', () => serializeDer(this.issuer));
  }
  get notBefore(): Date {
    return new Date(this.validity.notBefore);
  }
  get notAfter(): Date {
    return new Date(this.validity.notAfter);
  }
  /** The validity period in milliseconds since the epoch (isValidAt is asked at every path step). */
  private get validity(): { notBefore: number; notAfter: number } {
    return this.memo('validity', () => ({
      notBefore: this.tbs.validity.notBefore.getTime().getTime(),
      notAfter: this.tbs.validity.notAfter.getTime().getTime(),
    }));
  }
  get spkiDer(): Uint8Array {
    return this.memo('spkiDer', () => serializeDer(this.tbs.subjectPublicKeyInfo));
  }
  /** The subjectPublicKey BIT STRING contents (what SKI and OCSP issuerKeyHash hash). */
  get publicKeyBits(): Uint8Array {
    return bytes(this.tbs.subjectPublicKeyInfo.subjectPublicKey);
  }
  get publicKey(): KeyObject {
    this.cachedKey ??= publicKeyFromSpki(this.spkiDer);
    return this.cachedKey;
  }
  get signatureAlgorithm(): string {
    return this.asn.signatureAlgorithm.algorithm;
  }
  /** SHA-256 of the DER, hex: riik's handle for a certificate in logs and indexes. */
  get sha256Hex(): string {
    return this.memo('sha256Hex', () => toHex(this.digest('sha256')));
  }

  /**
   * A digest of the certificate (its DER: ESSCertID, XAdES CertDigest), of its subject Name (OCSP
   * CertID issuerNameHash) or of its subjectPublicKey bits (CertID issuerKeyHash, OCSP ResponderID
   * byKey), computed once per algorithm. A fresh copy each time.
   */
  digest(
    algorithm: 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512',
    of: 'certificate' | 'subject' | 'publicKey' = 'certificate',
  ): Uint8Array {
    const value = this.memo(`${of} ${algorithm}`, () => {
      const data = of === 'certificate' ? this.der : of === 'subject' ? this.subjectDer : this.publicKeyBits;
      return new Uint8Array(createHash(algorithm).update(data).digest());
    });
    return value.slice();
  }

  /** Values of a subject attribute (OID.commonName etc.). */
  subjectValues(type: string): string[] {
    return nameValues(this.subject, type);
  }

  extension(oid: string): Extension | undefined {
    return this.tbs.extensions?.find((e) => e.extnID === oid);
  }

  private parseExtension<T>(oid: string, type: new () => T): T | undefined {
    return this.memo(oid, () => this.parseExtensionOnce(oid, type));
  }

  private parseExtensionOnce<T>(oid: string, type: new () => T): T | undefined {
    const ext = this.extension(oid);
    if (!ext) return undefined;
    try {
      return AsnConvert.parse(ext.extnValue, type);
    } catch (err) {
      throw new PkiError('MALFORMED_DER', `certificate extension ${oid} is malformed`, { cause: err });
    }
  }

  /** Key usages, or undefined when the extension is absent. */
  get keyUsage(): KeyUsageName[] | undefined {
    const names = this.memo('keyUsage', () => {
      const ku = this.parseExtension(OID.keyUsage, KeyUsage);
      if (!ku) return undefined;
      const flags = ku.toNumber();
      return KEY_USAGE_FLAGS.filter(([, f]) => (flags & f) !== 0).map(([n]) => n);
    });
    return names && [...names];
  }
  get extendedKeyUsage(): string[] | undefined {
    const eku = this.parseExtension(OID.extKeyUsage, ExtendedKeyUsage);
    return eku ? [...eku] : undefined;
  }
  get basicConstraints(): { readonly ca: boolean; readonly pathLength?: number } {
    return this.memo('basicConstraints', () => {
      const bc = this.parseExtension(OID.basicConstraints, BasicConstraints);
      if (!bc) return Object.freeze({ ca: false });
      return Object.freeze(
        bc.pathLenConstraint === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLength: bc.pathLenConstraint },
      );
    });
  }
  get policies(): string[] {
    const cp = this.parseExtension(OID.certificatePolicies, CertificatePolicies);
    return cp ? cp.map((p) => p.policyIdentifier) : [];
  }
  get qcStatements(): string[] {
    const qc = this.parseExtension(OID.qcStatements, QCStatements);
    return qc ? qc.map((s) => s.statementId) : [];
  }
  /** QcType values (esign / eseal / web) from the QcType statement. */
  get qcTypes(): string[] {
    const qc = this.parseExtension(OID.qcStatements, QCStatements);
    const typeStatement = qc?.find((s) => s.statementId === OID.qcsQcType);
    const info = typeStatement?.statementInfo;
    if (!info) return [];
    return [
      ...this.memo('qcTypes', () => {
        try {
          return [...AsnConvert.parse(info, QcTypeSequence)];
        } catch {
          return [];
        }
      }),
    ];
  }
  get subjectKeyIdentifier(): Uint8Array | undefined {
    const ski = this.parseExtension(OID.subjectKeyIdentifier, SubjectKeyIdentifier);
    return ski ? bytes(ski.buffer) : undefined;
  }
  get authorityKeyIdentifier(): Uint8Array | undefined {
    const aki = this.parseExtension(OID.authorityKeyIdentifier, AuthorityKeyIdentifier);
    return aki?.keyIdentifier ? bytes(aki.keyIdentifier.buffer) : undefined;
  }
  get ocspUrls(): string[] {
    return this.accessLocations(OID.adOcsp);
  }
  get caIssuersUrls(): string[] {
    return this.accessLocations(OID.adCaIssuers);
  }
  private accessLocations(method: string): string[] {
    const aia = this.parseExtension(OID.authorityInfoAccess, AuthorityInfoAccessSyntax);
    return (aia ?? [])
      .filter((a) => a.accessMethod === method && a.accessLocation.uniformResourceIdentifier)
      .map((a) => a.accessLocation.uniformResourceIdentifier!);
  }
  get crlUrls(): string[] {
    const dps = this.parseExtension(OID.cRLDistributionPoints, CRLDistributionPoints);
    const out: string[] = [];
    for (const dp of dps ?? []) {
      for (const gn of dp.distributionPoint?.fullName ?? [])
        if (gn.uniformResourceIdentifier) out.push(gn.uniformResourceIdentifier);
    }
    return out;
  }
  get emailAddresses(): string[] {
    const san = this.parseExtension(OID.subjectAltName, SubjectAlternativeName);
    return (san ?? []).filter((g) => g.rfc822Name).map((g) => g.rfc822Name!);
  }
  get isSelfIssued(): boolean {
    return this.memo('isSelfIssued', () => bytesEqual(this.subjectDer, this.issuerDer));
  }

  /** Whether `issuer`'s key verifies this certificate's signature. */
  isSignedBy(issuer: Certificate): boolean {
    let verified = this.signedBy.get(issuer);
    if (verified === undefined) {
      verified = this.verifySignedBy(issuer);
      this.signedBy.set(issuer, verified);
    }
    return verified;
  }

  private verifySignedBy(issuer: Certificate): boolean {
    return verifySignature(
      issuer.publicKey,
      this.asn.signatureAlgorithm,
      this.tbsDer,
      bytes(this.asn.signatureValue),
    );
  }

  isValidAt(time: Date): boolean {
    const t = time.getTime();
    const { notBefore, notAfter } = this.validity;
    return t >= notBefore && t <= notAfter;
  }

  equals(other: Certificate): boolean {
    return other === this || bytesEqual(this.der, other.der);
  }
}
