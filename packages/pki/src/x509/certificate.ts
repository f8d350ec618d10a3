import { createHash, type KeyObject } from 'node:crypto';
import type { Certificate as AsnCertificate, Name } from '@peculiar/asn1-x509';
import { bytesEqual, fromPemAll, toHex, toPem } from '@riik/core';
import {
  decodeAlgorithmIdentifier,
  publicKeyFromSpki,
  publicKeyFromSpkiQuick,
  verifySignature,
  type AlgorithmId,
} from '../algorithms.js';
import { bytes, firstElementBytes, parseDer, serializeDer } from '../der.js';
import { PkiError } from '../errors.js';
import { asn1Schema, asn1X509, asn1X509Qualified } from '../lazy-modules.js';
import { OID } from '../oids.js';
import { qcTypeSequence } from './qc.js';
import {
  readCertificateFields,
  type CertificateExtension,
  type CertificateFields,
} from './certificate-fields.js';
import {
  readAuthorityKeyIdentifier,
  readBasicConstraints,
  readKeyUsageFlags,
  readOidSequence,
  readPolicyIdentifiers,
  readQcStatements,
  readSubjectKeyIdentifier,
} from './extension-readers.js';
import { nameToString, nameValues, rdnsOfDer, rdnsOfName, type NameRdns } from './name.js';

export type { CertificateExtension } from './certificate-fields.js';

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

/** RFC 5280 §4.2.1.3 named bit i as flag 2^i (the numbering of the library's KeyUsageFlags). */
const KEY_USAGE_FLAGS: Array<[KeyUsageName, number]> = [
  ['digitalSignature', 1 << 0],
  ['nonRepudiation', 1 << 1],
  ['keyEncipherment', 1 << 2],
  ['dataEncipherment', 1 << 3],
  ['keyAgreement', 1 << 4],
  ['keyCertSign', 1 << 5],
  ['cRLSign', 1 << 6],
  ['encipherOnly', 1 << 7],
  ['decipherOnly', 1 << 8],
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
  /** The exact signed bytes (TBSCertificate) from the original encoding. */
  readonly tbsDer: Uint8Array;
  /** What validation reads, straight from the DER (see certificate-fields.ts). */
  private readonly fields: CertificateFields;
  /** The ASN.1 library's object: parsed when first asked for, or up front when the DER is unusual. */
  private parsed?: AsnCertificate;
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
    const fields = readCertificateFields(der);
    if (fields) {
      this.fields = fields;
    } else {
      this.parsed = parseDer(der, asn1X509().Certificate, 'certificate');
      try {
        this.fields = fieldsOf(this.parsed, firstElementBytes(der));
      } catch (err) {
        // the library parses some values it cannot encode again (a Name re-encoded for its DER)
        if (err instanceof PkiError) throw err;
        throw new PkiError('MALFORMED_DER', `certificate: ${(err as Error).message}`, { cause: err });
      }
    }
    this.tbsDer = this.fields.tbs;
  }

  /** The subjectPublicKey bits inside SubjectPublicKeyInfo DER. */
  static spkiBits(spki: Uint8Array): Uint8Array {
    return bytes(parseDer(spki, asn1X509().SubjectPublicKeyInfo, 'public key').subjectPublicKey);
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

  /** The certificate as the ASN.1 library models it (parsed on first use). */
  get asn(): AsnCertificate {
    this.parsed ??= parseDer(this.der, asn1X509().Certificate, 'certificate');
    return this.parsed;
  }
  get tbs() {
    return this.asn.tbsCertificate;
  }
  get version(): number {
    return this.fields.version + 1;
  }
  /** Serial number INTEGER content octets, as encoded. */
  get serialNumber(): Uint8Array {
    return this.fields.serial;
  }
  /** Serial number as lowercase hex of its DER INTEGER content (leading zero kept as encoded). */
  get serialHex(): string {
    return this.memo('serialHex', () => toHex(this.fields.serial));
  }
  get subject(): Name {
    return this.memo('subject', () =>
      this.parsed
        ? this.parsed.tbsCertificate.subject
        : parseDer(this.fields.subject, asn1X509().Name, 'subject'),
    );
  }
  get issuer(): Name {
    return this.memo('issuer', () =>
      this.parsed
        ? this.parsed.tbsCertificate.issuer
        : parseDer(this.fields.issuer, asn1X509().Name, 'issuer'),
    );
  }
  private get subjectRdns(): NameRdns {
    return this.memo('subjectRdns', () =>
      this.parsed ? rdnsOfName(this.parsed.tbsCertificate.subject) : rdnsOfDer(this.fields.subject),
    );
  }
  get subjectString(): string {
    return this.memo('subjectString', () => nameToString(this.subjectRdns));
  }
  get issuerString(): string {
    return this.memo('issuerString', () =>
      nameToString(
        this.parsed ? rdnsOfName(this.parsed.tbsCertificate.issuer) : rdnsOfDer(this.fields.issuer),
      ),
    );
  }
  /** DER of the subject Name, as CertID / chain matching need it. */
  get subjectDer(): Uint8Array {
    return this.fields.subject;
  }
  get issuerDer(): Uint8Array {
    return this.fields.issuer;
  }
  get notBefore(): Date {
    return new Date(this.fields.notBefore);
  }
  get notAfter(): Date {
    return new Date(this.fields.notAfter);
  }
  get spkiDer(): Uint8Array {
    return this.fields.spki;
  }
  /** The subjectPublicKey BIT STRING contents (what SKI and OCSP issuerKeyHash hash). */
  get publicKeyBits(): Uint8Array {
    return this.fields.publicKeyBits;
  }
  get publicKey(): KeyObject {
    this.cachedKey ??= publicKeyFromSpki(this.spkiDer);
    return this.cachedKey;
  }
  /**
   * The public key, loaded the quick way for EC keys (see publicKeyFromSpkiQuick); afterwards
   * `publicKey` returns it. Throws as `publicKey` does for a key node:crypto cannot load.
   */
  async loadPublicKey(): Promise<KeyObject> {
    if (this.cachedKey) return this.cachedKey;
    const key = await publicKeyFromSpkiQuick(this.spkiDer);
    this.cachedKey ??= key;
    return this.cachedKey;
  }
  private get signatureAlgorithmIdentifier(): AlgorithmId {
    return this.memo('signatureAlgorithm', () =>
      this.parsed
        ? this.parsed.signatureAlgorithm
        : decodeAlgorithmIdentifier(this.fields.signatureAlgorithm, 'certificate signatureAlgorithm'),
    );
  }
  get signatureAlgorithm(): string {
    return this.signatureAlgorithmIdentifier.algorithm;
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
    return nameValues(this.subjectRdns, type);
  }

  extension(oid: string): CertificateExtension | undefined {
    return this.fields.extensions?.find((e) => e.extnID === oid);
  }

  /** An extension through the ASN.1 library; `type` names its class (the library loads on first use). */
  private parseExtension<T>(oid: string, type: () => new () => T): T | undefined {
    return this.memo(oid, () => this.parseExtensionOnce(oid, type));
  }

  private parseExtensionOnce<T>(oid: string, type: () => new () => T): T | undefined {
    const ext = this.extension(oid);
    if (!ext) return undefined;
    try {
      return asn1Schema().AsnConvert.parse(ext.extnValue, type());
    } catch (err) {
      throw new PkiError('MALFORMED_DER', `certificate extension ${oid} is malformed`, { cause: err });
    }
  }

  /** Key usages, or undefined when the extension is absent. */
  get keyUsage(): KeyUsageName[] | undefined {
    const names = this.memo('keyUsage', () => {
      const ext = this.extension(OID.keyUsage);
      if (!ext) return undefined;
      const flags =
        readKeyUsageFlags(ext.extnValue) ??
        this.parseExtension(OID.keyUsage, () => asn1X509().KeyUsage)!.toNumber();
      return KEY_USAGE_FLAGS.filter(([, f]) => (flags & f) !== 0).map(([n]) => n);
    });
    return names && [...names];
  }
  get extendedKeyUsage(): string[] | undefined {
    const purposes = this.memo('extendedKeyUsage', () => {
      const ext = this.extension(OID.extKeyUsage);
      if (!ext) return undefined;
      return (
        readOidSequence(ext.extnValue) ?? [
          ...this.parseExtension(OID.extKeyUsage, () => asn1X509().ExtendedKeyUsage)!,
        ]
      );
    });
    return purposes && [...purposes];
  }
  get basicConstraints(): { readonly ca: boolean; readonly pathLength?: number } {
    return this.memo('basicConstraints', () => {
      const ext = this.extension(OID.basicConstraints);
      if (!ext) return Object.freeze({ ca: false });
      const fast = readBasicConstraints(ext.extnValue);
      if (fast) return Object.freeze(fast);
      const bc = this.parseExtension(OID.basicConstraints, () => asn1X509().BasicConstraints)!;
      return Object.freeze(
        bc.pathLenConstraint === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLength: bc.pathLenConstraint },
      );
    });
  }
  get policies(): string[] {
    const ids = this.memo('policies', () => {
      const ext = this.extension(OID.certificatePolicies);
      if (!ext) return [];
      return (
        readPolicyIdentifiers(ext.extnValue) ??
        this.parseExtension(OID.certificatePolicies, () => asn1X509().CertificatePolicies)!.map(
          (p) => p.policyIdentifier,
        )
      );
    });
    return [...ids];
  }
  /** The QC statements (statementId, and statementInfo DER when present). */
  private get qcStatementList(): ReadonlyArray<{ statementId: string; statementInfo?: Uint8Array }> {
    return this.memo('qcStatementList', () => {
      const ext = this.extension(OID.qcStatements);
      if (!ext) return [];
      return (
        readQcStatements(ext.extnValue) ??
        this.parseExtension(OID.qcStatements, () => asn1X509Qualified().QCStatements)!.map((s) => ({
          statementId: s.statementId,
          statementInfo: bytes(s.statementInfo),
        }))
      );
    });
  }
  get qcStatements(): string[] {
    return this.qcStatementList.map((s) => s.statementId);
  }
  /** QcType values (esign / eseal / web) from the QcType statement. */
  get qcTypes(): string[] {
    const info = this.qcStatementList.find((s) => s.statementId === OID.qcsQcType)?.statementInfo;
    if (!info) return [];
    return [
      ...this.memo('qcTypes', () => {
        const fast = readOidSequence(info);
        if (fast) return fast;
        try {
          return [...asn1Schema().AsnConvert.parse(info, qcTypeSequence())];
        } catch {
          return [];
        }
      }),
    ];
  }
  get subjectKeyIdentifier(): Uint8Array | undefined {
    return this.memo('subjectKeyIdentifier', () => {
      const ext = this.extension(OID.subjectKeyIdentifier);
      if (!ext) return undefined;
      return (
        readSubjectKeyIdentifier(ext.extnValue) ??
        bytes(this.parseExtension(OID.subjectKeyIdentifier, () => asn1X509().SubjectKeyIdentifier)!.buffer)
      );
    });
  }
  get authorityKeyIdentifier(): Uint8Array | undefined {
    return this.memo('authorityKeyIdentifier', () => {
      const ext = this.extension(OID.authorityKeyIdentifier);
      if (!ext) return undefined;
      const fast = readAuthorityKeyIdentifier(ext.extnValue);
      if (fast) return fast;
      const aki = this.parseExtension(OID.authorityKeyIdentifier, () => asn1X509().AuthorityKeyIdentifier)!;
      return aki.keyIdentifier ? bytes(aki.keyIdentifier.buffer) : undefined;
    });
  }
  get ocspUrls(): string[] {
    return this.accessLocations(OID.adOcsp);
  }
  get caIssuersUrls(): string[] {
    return this.accessLocations(OID.adCaIssuers);
  }
  private accessLocations(method: string): string[] {
    const aia = this.parseExtension(OID.authorityInfoAccess, () => asn1X509().AuthorityInfoAccessSyntax);
    return (aia ?? [])
      .filter((a) => a.accessMethod === method && a.accessLocation.uniformResourceIdentifier)
      .map((a) => a.accessLocation.uniformResourceIdentifier!);
  }
  get crlUrls(): string[] {
    const dps = this.parseExtension(OID.cRLDistributionPoints, () => asn1X509().CRLDistributionPoints);
    const out: string[] = [];
    for (const dp of dps ?? []) {
      for (const gn of dp.distributionPoint?.fullName ?? [])
        if (gn.uniformResourceIdentifier) out.push(gn.uniformResourceIdentifier);
    }
    return out;
  }
  get emailAddresses(): string[] {
    const san = this.parseExtension(OID.subjectAltName, () => asn1X509().SubjectAlternativeName);
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
      this.signatureAlgorithmIdentifier,
      this.tbsDer,
      this.fields.signatureValue,
    );
  }

  isValidAt(time: Date): boolean {
    const t = time.getTime();
    return t >= this.fields.notBefore && t <= this.fields.notAfter;
  }

  equals(other: Certificate): boolean {
    return other === this || bytesEqual(this.der, other.der);
  }
}

/**
 * The fields as the ASN.1 library read them, for certificates whose DER the field reader leaves
 * to it: Names and SubjectPublicKeyInfo re-encoded from the parsed values, as riik always did.
 */
function fieldsOf(asn: AsnCertificate, tbs: Uint8Array): CertificateFields {
  const t = asn.tbsCertificate;
  return {
    tbs,
    version: t.version,
    serial: bytes(t.serialNumber),
    issuer: serializeDer(t.issuer),
    subject: serializeDer(t.subject),
    notBefore: t.validity.notBefore.getTime().getTime(),
    notAfter: t.validity.notAfter.getTime().getTime(),
    spki: serializeDer(t.subjectPublicKeyInfo),
    publicKeyBits: bytes(t.subjectPublicKeyInfo.subjectPublicKey),
    extensions: t.extensions?.map((e) => ({
      extnID: e.extnID,
      critical: e.critical,
      extnValue: bytes(e.extnValue.buffer),
    })),
    signatureAlgorithm: serializeDer(asn.signatureAlgorithm),
    signatureValue: bytes(asn.signatureValue),
  };
}
