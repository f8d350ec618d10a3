import { createHash } from 'node:crypto';
import { bytesEqual } from '@riik/core';
import type { HashAlgorithm, Signer } from '@riik/keys';
import { nodeHashName } from '@riik/keys';
import {
  decodeAlgorithmIdentifier,
  signatureAlgorithm,
  verifySignature,
  type AlgorithmId,
} from '../algorithms.js';
import {
  children,
  decodeOid,
  encodeCmsTime,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeTlv,
  readTlv,
  serializeDer,
  sortedSetContent,
  type Tlv,
} from '../der.js';
import { PkiError } from '../errors.js';
import { OID } from '../oids.js';
import { checkPurpose } from '../validation/purpose.js';
import { Certificate } from '../x509/certificate.js';
import {
  encodeSigningCertificateV2,
  parseSigningCertificate,
  rawIssuerAndSerial,
  type EssCertId,
} from './ess.js';
import { berToDer } from './ber.js';
import { hashAlgorithmIdentifier } from './imprint.js';
import { encodeTstInfo, parseTstInfo, type TstInfo, type TstInfoInput } from './tst-info.js';

export interface TimeStampTokenSignerOptions {
  signer: Signer;
  /** The TSA certificate: its key must be the signer's, its only EKU timeStamping (RFC 3161 §2.3). */
  certificate: Certificate;
  /** Further certificates to include when the requester asks for certificates (e.g. the issuing CA). */
  chain?: readonly Certificate[];
  /** Digest and signature hash (default SHA-384 for P-384, SHA-256 for P-256, SHA-512 for Ed25519). */
  hash?: HashAlgorithm;
  /** Name the TSA in TSTInfo's tsa field (default true). */
  tsaName?: boolean;
}

const attribute = (type: string, value: Uint8Array) =>
  encodeSequence([encodeOid(type), encodeTlv(0x31, value)]);

/**
 * Builds and signs RFC 3161 time-stamp tokens: ContentInfo { SignedData (RFC 5652) over an
 * id-ct-TSTInfo eContent, one SignerInfo identified by issuer and serial, with the signed
 * attributes contentType, signingTime, messageDigest and signingCertificateV2 (ESSCertIDv2,
 * RFC 5816) }.
 *
 * Every part that does not change between tokens (certificates, signer identifier, algorithm
 * identifiers, the ESSCertIDv2 attribute) is encoded once here, and each token assembles DER
 * around them by hand: through the ASN.1 library, encoding TSTInfo alone takes ~80 µs and the
 * whole token well over 100 µs on top of a ~600-700 µs P-384 signature, and the TSA's throughput
 * is meant to be that of the signature.
 */
export class TimeStampTokenSigner {
  readonly hash: HashAlgorithm;
  readonly certificate: Certificate;
  private readonly signer: Signer;
  private readonly digestAlgorithm: Uint8Array;
  private readonly signatureAlgorithm: Uint8Array;
  private readonly sid: Uint8Array;
  private readonly essAttribute: Uint8Array;
  private readonly certificatesField: Uint8Array;
  private readonly tsaName: Uint8Array | undefined;
  private readonly policyOids = new Map<string, Uint8Array>();

  constructor(options: TimeStampTokenSignerOptions) {
    const { signer, certificate } = options;
    if (
      !bytesEqual(
        new Uint8Array(signer.publicKey.export({ format: 'der', type: 'spki' })),
        certificate.spkiDer,
      )
    )
      throw new PkiError('BAD_ARGUMENT', 'the signer key does not match the TSA certificate');
    const purpose = checkPurpose(certificate, 'timestamping');
    if (purpose) throw new PkiError('BAD_ARGUMENT', `not a TSA certificate: ${purpose.message}`);
    this.signer = signer;
    this.certificate = certificate;
    this.hash =
      options.hash ??
      (signer.keyAlgorithm === 'EC-P256'
        ? 'SHA-256'
        : signer.keyAlgorithm === 'Ed25519'
          ? 'SHA-512'
          : 'SHA-384');
    this.digestAlgorithm = hashAlgorithmIdentifier(this.hash);
    this.signatureAlgorithm = serializeDer(signatureAlgorithm(signer, this.hash));
    const { issuer, serial } = rawIssuerAndSerial(certificate);
    this.sid = encodeSequence([issuer, encodeTlv(0x02, serial)]);
    this.essAttribute = attribute(OID.signingCertificateV2, encodeSigningCertificateV2(certificate));
    this.certificatesField = encodeTlv(
      0xa0,
      Buffer.concat([certificate.der, ...(options.chain ?? []).map((c) => c.der)]),
    );
    // GeneralName directoryName [4] with the subject Name as the certificate encodes it.
    const tbs = certificate.tbsDer;
    const fields = children(tbs, readTlv(tbs, 0));
    const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4]!;
    this.tsaName =
      options.tsaName === false ? undefined : encodeTlv(0xa4, tbs.subarray(subject.start, subject.end));
  }

  /** Sign a token for `info`; `includeCertificates` answers the request's certReq. */
  async sign(
    info: TstInfoInput,
    includeCertificates: boolean,
  ): Promise<{ der: Uint8Array; tstInfo: Uint8Array }> {
    let policyOid = this.policyOids.get(info.policy);
    if (!policyOid) this.policyOids.set(info.policy, (policyOid = encodeOid(info.policy)));
    const tstInfo = encodeTstInfo(
      this.tsaName && !info.tsaName ? { ...info, tsaName: this.tsaName } : info,
      policyOid,
    );
    const digest = createHash(nodeHashName(this.hash)).update(tstInfo).digest();
    const attributes = sortedSetContent([
      CONTENT_TYPE_ATTRIBUTE,
      attribute(OID.signingTime, encodeCmsTime(info.genTime)),
      attribute(OID.messageDigest, encodeOctetString(digest)),
      this.essAttribute,
    ]);
    // The signature covers the attributes as a SET (tag 0x31); the SignerInfo carries them [0] IMPLICIT.
    const signature = await this.signer.sign(encodeTlv(0x31, attributes), this.hash);
    const signerInfo = encodeSequence([
      VERSION_1,
      this.sid,
      this.digestAlgorithm,
      encodeTlv(0xa0, attributes),
      this.signatureAlgorithm,
      encodeOctetString(signature),
    ]);
    const signedData = encodeSequence([
      VERSION_3,
      encodeTlv(0x31, this.digestAlgorithm),
      encodeSequence([TST_INFO_OID, encodeTlv(0xa0, encodeOctetString(tstInfo))]),
      ...(includeCertificates ? [this.certificatesField] : []),
      encodeTlv(0x31, signerInfo),
    ]);
    return { der: encodeSequence([SIGNED_DATA_OID, encodeTlv(0xa0, signedData)]), tstInfo };
  }
}

const VERSION_1 = new Uint8Array([0x02, 0x01, 0x01]);
const VERSION_3 = new Uint8Array([0x02, 0x01, 0x03]);
const TST_INFO_OID = encodeOid(OID.ctTSTInfo);
const SIGNED_DATA_OID = encodeOid(OID.signedData);
const CONTENT_TYPE_ATTRIBUTE = attribute(OID.contentType, TST_INFO_OID);

/** A time-stamp token as read by a relying party; checks are in verifyTimeStampToken. */
export interface ParsedTimeStampToken {
  /** The token (ContentInfo) DER. */
  der: Uint8Array;
  tstInfo: TstInfo;
  /** Certificates carried in SignedData, in order. */
  certificates: Certificate[];
  /** SignerInfo.sid: issuer Name DER and serial content, or a subject key identifier. */
  signerId: { issuerNameDer: Uint8Array; serial: Uint8Array } | { subjectKeyIdentifier: Uint8Array };
  /** SignerInfo.digestAlgorithm (dotted OID). */
  digestAlgorithm: string;
  /** SignerInfo.signatureAlgorithm (dotted OID). */
  signatureAlgorithm: string;
  /** Signed attributes riik reads. */
  signedAttributes: {
    contentType?: string;
    messageDigest?: Uint8Array;
    signingTime?: Date;
    /** ESSCertID(v2) entries, from SigningCertificateV2 (version 2) or SigningCertificate (version 1). */
    signingCertificate?: { version: 1 | 2; ids: EssCertId[] };
    /** Attribute types in the order they appear. */
    types: string[];
  };
  /** The attributes as signed (SET OF, tag 0x31). */
  signedAttributesDer: Uint8Array;
  signature: Uint8Array;
  /** Whether SignerInfo.sid names `cert`. */
  isSignerId(cert: Certificate): boolean;
  /** Whether `cert`'s key verifies the signature over the signed attributes. */
  isSignedBy(cert: Certificate): boolean;
}

const malformed = (why: string) => new PkiError('MALFORMED_DER', `time-stamp token: ${why}`);

function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw malformed(`expected ${what}`);
  return tlv;
}

function oidAt(der: Uint8Array, tlv: Tlv | undefined, what: string): string {
  const t = expectTag(tlv, 0x06, what);
  return decodeOid(der.subarray(t.contentStart, t.end));
}

/** Largest token riik reads (certificates included); real tokens are 2-8 KB. */
export const MAX_TIMESTAMP_TOKEN = 64 * 1024;

const HASH_OF_DIGEST_OID: Record<string, string> = {
  [OID.sha256]: 'SHA256',
  [OID.sha384]: 'SHA384',
  [OID.sha512]: 'SHA512',
};

/**
 * The signature AlgorithmIdentifier to verify with. CMS allows the bare key algorithm
 * (rsaEncryption, id-ecPublicKey) with the hash taken from digestAlgorithm (RFC 5754 §3,
 * RFC 5753); SK's older TSAs sign that way.
 */
function effectiveSignatureAlgorithm(signatureOid: string, digestOid: string, raw: AlgorithmId): AlgorithmId {
  const h = HASH_OF_DIGEST_OID[digestOid];
  if (signatureOid === OID.rsaEncryption && h) {
    const oid = {
      SHA256: OID.sha256WithRSAEncryption,
      SHA384: OID.sha384WithRSAEncryption,
      SHA512: OID.sha512WithRSAEncryption,
    }[h]!;
    return { algorithm: oid };
  }
  if (signatureOid === OID.ecPublicKey && h) {
    const oid = { SHA256: OID.ecdsaWithSHA256, SHA384: OID.ecdsaWithSHA384, SHA512: OID.ecdsaWithSHA512 }[h]!;
    return { algorithm: oid };
  }
  return raw;
}

/**
 * Parse a TimeStampToken (RFC 3161 §2.4.2: a ContentInfo with SignedData over TSTInfo) strictly
 * as DER, keeping the exact bytes that signatures and digests cover. Throws MALFORMED_DER.
 */
export function parseTimeStampToken(input: Uint8Array): ParsedTimeStampToken {
  if (!(input instanceof Uint8Array) || input.length > MAX_TIMESTAMP_TOKEN)
    throw malformed('missing or too large');
  // CMS framing may be BER (indefinite lengths); what is signed is DER either way.
  const der = new Uint8Array(berToDer(input));
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw malformed('expected one SEQUENCE');
  const [ct, content, extra] = children(der, outer);
  if (oidAt(der, ct, 'contentType') !== OID.signedData) throw malformed('content is not SignedData');
  if (extra) throw malformed('ContentInfo has extra fields');
  const sd = expectTag(children(der, expectTag(content, 0xa0, 'content'))[0], 0x30, 'SignedData');
  const parts = children(der, sd);
  let p = 0;
  expectTag(parts[p++], 0x02, 'version');
  expectTag(parts[p++], 0x31, 'digestAlgorithms');
  const eci = children(der, expectTag(parts[p++], 0x30, 'encapContentInfo'));
  if (oidAt(der, eci[0], 'eContentType') !== OID.ctTSTInfo) throw malformed('eContent is not TSTInfo');
  const eContent = expectTag(
    children(der, expectTag(eci[1], 0xa0, 'eContent'))[0],
    0x04,
    'eContent OCTET STRING',
  );
  const tstInfo = parseTstInfo(der.subarray(eContent.contentStart, eContent.end));
  const certificates: Certificate[] = [];
  if (parts[p]?.tag === 0xa0) {
    for (const c of children(der, parts[p++]!)) {
      if (c.tag === 0x30) certificates.push(Certificate.fromDer(der.subarray(c.start, c.end)));
    }
  }
  if (parts[p]?.tag === 0xa1) p++; // crls: not used for time-stamps
  const signerInfos = children(der, expectTag(parts[p++], 0x31, 'signerInfos'));
  if (parts[p]) throw malformed('SignedData has extra fields');
  if (signerInfos.length !== 1)
    throw malformed('a time-stamp token has exactly one SignerInfo (RFC 3161 §2.4.2)');
  const si = children(der, expectTag(signerInfos[0], 0x30, 'SignerInfo'));
  let q = 0;
  expectTag(si[q++], 0x02, 'SignerInfo version');
  const sidTlv = si[q++];
  let signerId: ParsedTimeStampToken['signerId'];
  if (sidTlv?.tag === 0x30) {
    const [issuer, serial] = children(der, sidTlv);
    expectTag(issuer, 0x30, 'issuer');
    expectTag(serial, 0x02, 'serialNumber');
    signerId = {
      issuerNameDer: der.slice(issuer!.start, issuer!.end),
      serial: der.slice(serial!.contentStart, serial!.end),
    };
  } else if (sidTlv?.tag === 0x80) {
    signerId = { subjectKeyIdentifier: der.slice(sidTlv.contentStart, sidTlv.end) };
  } else throw malformed('bad SignerIdentifier');
  const digestAlgTlv = expectTag(si[q++], 0x30, 'digestAlgorithm');
  const digestAlgorithm = oidAt(der, children(der, digestAlgTlv)[0], 'digestAlgorithm OID');
  const attrsTlv = expectTag(si[q++], 0xa0, 'signedAttrs (RFC 3161 requires them)');
  const signedAttributesDer = der.slice(attrsTlv.start, attrsTlv.end);
  signedAttributesDer[0] = 0x31;
  const sigAlgTlv = expectTag(si[q++], 0x30, 'signatureAlgorithm');
  const sigAlgRaw = der.subarray(sigAlgTlv.start, sigAlgTlv.end);
  const signatureAlgorithmOid = oidAt(der, children(der, sigAlgTlv)[0], 'signatureAlgorithm OID');
  const sigTlv = expectTag(si[q++], 0x04, 'signature');
  const signature = der.slice(sigTlv.contentStart, sigTlv.end);

  const signedAttributes: ParsedTimeStampToken['signedAttributes'] = { types: [] };
  for (const a of children(der, attrsTlv)) {
    const [typeTlv, values] = children(der, expectTag(a, 0x30, 'Attribute'));
    const type = oidAt(der, typeTlv, 'attrType');
    signedAttributes.types.push(type);
    const vs = children(der, expectTag(values, 0x31, 'attrValues'));
    const v = vs[0];
    if (vs.length !== 1 || !v) continue; // the attributes riik reads are single-valued
    const value = der.subarray(v.start, v.end);
    if (type === OID.contentType) signedAttributes.contentType = oidAt(der, v, 'contentType');
    else if (type === OID.messageDigest)
      signedAttributes.messageDigest = der.slice(expectTag(v, 0x04, 'messageDigest').contentStart, v.end);
    else if (type === OID.signingTime) signedAttributes.signingTime = parseCmsTime(der, v);
    else if (type === OID.signingCertificateV2)
      signedAttributes.signingCertificate = { version: 2, ids: parseSigningCertificate(value.slice(), true) };
    else if (type === OID.signingCertificate && !signedAttributes.signingCertificate)
      signedAttributes.signingCertificate = {
        version: 1,
        ids: parseSigningCertificate(value.slice(), false),
      };
  }
  const rawAlgorithm = parseAlgorithmIdentifier(sigAlgRaw);
  const verifyAlgorithm = effectiveSignatureAlgorithm(signatureAlgorithmOid, digestAlgorithm, rawAlgorithm);
  return {
    der,
    tstInfo,
    certificates,
    signerId,
    digestAlgorithm,
    signatureAlgorithm: signatureAlgorithmOid,
    signedAttributes,
    signedAttributesDer,
    signature,
    isSignerId(cert) {
      if ('subjectKeyIdentifier' in signerId) {
        const ski = cert.subjectKeyIdentifier;
        return ski !== undefined && bytesEqual(ski, signerId.subjectKeyIdentifier);
      }
      const own = rawIssuerAndSerial(cert);
      return bytesEqual(own.serial, signerId.serial) && bytesEqual(own.issuer, signerId.issuerNameDer);
    },
    isSignedBy(cert) {
      return verifySignature(cert.publicKey, verifyAlgorithm, signedAttributesDer, signature);
    },
  };
}

/** As an AlgorithmIdentifier: verifySignature reads RSASSA-PSS parameters from it. */
function parseAlgorithmIdentifier(der: Uint8Array): AlgorithmId {
  return decodeAlgorithmIdentifier(der, 'time-stamp token signatureAlgorithm');
}

function parseCmsTime(der: Uint8Array, tlv: Tlv): Date {
  const text = Buffer.from(der.subarray(tlv.contentStart, tlv.end)).toString('latin1');
  const m =
    tlv.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : tlv.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text)
        : null;
  if (!m) throw malformed('bad signingTime');
  let year = Number(m[1]);
  if (tlv.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}
