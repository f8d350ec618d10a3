import type { HashAlgorithm, Signer } from '@riik/keys';
import { decodeAlgorithmIdentifier, signatureAlgorithm, verifySignature } from '../algorithms.js';
import { CRL_REASONS, reasonName, type RevocationReason } from '../crl/reason.js';
import {
  children,
  decodeGeneralizedTime,
  decodeOid,
  encodeOid,
  encodeTlv,
  readTlv,
  serializeDer,
  type Tlv,
} from '../der.js';
import { PkiError } from '../errors.js';
import { OID } from '../oids.js';
import { Certificate } from '../x509/certificate.js';
import { keyIdentifier } from '../x509/extensions.js';
import { OCSP_RESPONSE_STATUS, type OcspResponseStatusName } from './status.js';

export type CertStatusValue =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: Date; reason: RevocationReason }
  | { status: 'unknown' };

export interface SingleResponseInput {
  /** The CertID DER exactly as the request carried it (ParsedCertId.raw). */
  certId: Uint8Array;
  status: CertStatusValue;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface BuildOcspResponseOptions {
  responderCertificate: Certificate;
  signer: Signer;
  hash?: HashAlgorithm;
  producedAt: Date;
  responses: SingleResponseInput[];
  /** The request's nonce extension value, echoed verbatim (RFC 8954 §2.1). */
  nonceExtnValue?: Uint8Array;
}

const seq = (...parts: Uint8Array[]) => encodeTlv(0x30, Buffer.concat(parts));

/** GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 5280 §4.1.2.5.2: whole seconds, Zulu). */
function generalizedTime(date: Date): Uint8Array {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return encodeTlv(0x18, Buffer.from(text, 'latin1'));
}

function certStatus(value: CertStatusValue): Uint8Array {
  switch (value.status) {
    case 'good':
      return new Uint8Array([0x80, 0x00]); // [0] IMPLICIT NULL
    case 'unknown':
      return new Uint8Array([0x82, 0x00]); // [2] IMPLICIT NULL
    case 'revoked': {
      // [1] IMPLICIT RevokedInfo { revocationTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
      const time = generalizedTime(value.revokedAt);
      const reason =
        value.reason === 'unspecified'
          ? new Uint8Array()
          : new Uint8Array([0xa0, 0x03, 0x0a, 0x01, CRL_REASONS[value.reason]]);
      return encodeTlv(0xa1, Buffer.concat([time, reason]));
    }
  }
}

/** The parts of a response that depend only on the responder, encoded once per responder. */
interface ResponderParts {
  responderId: Uint8Array;
  certs: Uint8Array;
  algorithms: Map<HashAlgorithm, Uint8Array>;
}
const responderParts = new WeakMap<Certificate, ResponderParts>();

function partsFor(responder: Certificate): ResponderParts {
  let parts = responderParts.get(responder);
  if (!parts) {
    parts = {
      // ResponderID byKey [2] EXPLICIT KeyHash (SHA-1 of the responder's public key bits)
      responderId: encodeTlv(0xa2, encodeTlv(0x04, keyIdentifier(responder.publicKeyBits))),
      // certs [0] EXPLICIT SEQUENCE OF Certificate: the responder certificate, for delegation checks
      certs: encodeTlv(0xa0, seq(responder.der)),
      algorithms: new Map(),
    };
    responderParts.set(responder, parts);
  }
  return parts;
}

/**
 * Build a successful, signed OCSPResponse with a BasicOCSPResponse (RFC 6960 §4.2.1). The
 * responder is identified by key hash and its certificate is included, so clients can check the
 * delegation (§4.2.2.2).
 *
 * Encoded by hand: every byte here is fixed by RFC 6960 and DER, the CertID is echoed exactly
 * as requested, and this is the responder's hot path, where the generic ASN.1 serialiser cost
 * more than the signature.
 */
export async function buildOcspResponse(options: BuildOcspResponseOptions): Promise<Uint8Array> {
  const hash = options.hash ?? 'SHA-384';
  const parts = partsFor(options.responderCertificate);
  let algorithm = parts.algorithms.get(hash);
  if (!algorithm) {
    algorithm = serializeDer(signatureAlgorithm(options.signer, hash));
    parts.algorithms.set(hash, algorithm);
  }
  const singles = options.responses.map((r) =>
    seq(
      r.certId,
      certStatus(r.status),
      generalizedTime(r.thisUpdate),
      r.nextUpdate ? encodeTlv(0xa0, generalizedTime(r.nextUpdate)) : new Uint8Array(),
    ),
  );
  const extensions = options.nonceExtnValue
    ? encodeTlv(0xa1, seq(seq(encodeOid(OID.pkixOcspNonce), encodeTlv(0x04, options.nonceExtnValue))))
    : new Uint8Array();
  const tbs = seq(parts.responderId, generalizedTime(options.producedAt), seq(...singles), extensions);
  const signature = await options.signer.sign(tbs, hash);
  const basic = seq(
    tbs,
    algorithm,
    encodeTlv(0x03, Buffer.concat([new Uint8Array([0]), signature])),
    parts.certs,
  );
  return seq(
    new Uint8Array([0x0a, 0x01, OCSP_RESPONSE_STATUS.successful]),
    encodeTlv(0xa0, seq(encodeOid(OID.pkixOcspBasic), encodeTlv(0x04, basic))),
  );
}

/** CertID (RFC 6960 §4.1.1) as a response carries it. */
export interface OcspCertId {
  /** hashAlgorithm (dotted OID). */
  hashAlgorithm: string;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** serialNumber INTEGER content octets. */
  serialNumber: Uint8Array;
}

export interface ParsedSingleResponse {
  serialHex: string;
  certId: OcspCertId;
  status: CertStatusValue;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface ParsedOcspResponse {
  der: Uint8Array;
  status: OcspResponseStatusName;
  /** Present when status is successful. */
  basic?: {
    /** Exact signed bytes of ResponseData. */
    tbsDer: Uint8Array;
    producedAt: Date;
    responderByKey?: Uint8Array;
    /** The responder's Name exactly as encoded in ResponseData. */
    responderByNameDer?: Uint8Array;
    responses: ParsedSingleResponse[];
    nonceExtnValue?: Uint8Array;
    certificates: Certificate[];
    /** Whether `key` signed ResponseData. */
    isSignedBy(cert: Certificate): boolean;
    signatureAlgorithm: string;
  };
}

/** Parse an OCSPResponse (a relying party's view). Signatures are checked by the caller. */
export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  const outer = readOcspResponse(der);
  const status = (Object.entries(OCSP_RESPONSE_STATUS) as Array<[OcspResponseStatusName, number]>).find(
    ([, v]) => v === outer.responseStatus,
  )?.[0];
  if (!status)
    throw new PkiError('OCSP_MALFORMED_RESPONSE', `unknown OCSP response status ${outer.responseStatus}`);
  if (status !== 'successful') return { der, status };
  if (!outer.responseBytes || outer.responseBytes.responseType !== OID.pkixOcspBasic) {
    throw new PkiError('OCSP_MALFORMED_RESPONSE', 'successful OCSP response without a BasicOCSPResponse');
  }
  const basicDer = outer.responseBytes.response;
  // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING,
  //   certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }. The parts are cut out of the original
  // bytes (signatures cover bytes, and re-encoding a foreign responder's structure need not give
  // them back); the embedded certificates are read by Certificate.fromDer, once per certificate.
  let parts: ReturnType<typeof children>;
  try {
    const outerTlv = readTlv(basicDer, 0);
    if (outerTlv.tag !== 0x30 || outerTlv.end !== basicDer.length) throw new Error('not one SEQUENCE');
    parts = children(basicDer, outerTlv);
  } catch (err) {
    throw new PkiError('OCSP_MALFORMED_RESPONSE', `BasicOCSPResponse: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const [tbsTlv, algTlv, sigTlv, certsTlv, extra] = parts;
  if (
    tbsTlv?.tag !== 0x30 ||
    algTlv?.tag !== 0x30 ||
    sigTlv?.tag !== 0x03 ||
    sigTlv.end - sigTlv.contentStart < 1 ||
    basicDer[sigTlv.contentStart] !== 0 ||
    (certsTlv && certsTlv.tag !== 0xa0) ||
    extra
  )
    throw new PkiError('OCSP_MALFORMED_RESPONSE', 'BasicOCSPResponse is not well formed');
  const tbsDer = basicDer.subarray(tbsTlv.start, tbsTlv.end);
  const sigAlg = decodeAlgorithmIdentifier(
    basicDer.subarray(algTlv.start, algTlv.end),
    'BasicOCSPResponse signatureAlgorithm',
  );
  const signature = basicDer.subarray(sigTlv.contentStart + 1, sigTlv.end);
  const certsSeq = certsTlv ? children(basicDer, certsTlv)[0] : undefined;
  if (certsTlv && !certsSeq)
    throw new PkiError('OCSP_MALFORMED_RESPONSE', 'empty certs field in BasicOCSPResponse');
  const certificates = certsSeq
    ? children(basicDer, certsSeq).map((c) => Certificate.fromDer(basicDer.subarray(c.start, c.end)))
    : [];
  const rd = readResponseData(tbsDer);
  return {
    der,
    status,
    basic: {
      tbsDer,
      ...rd,
      certificates,
      signatureAlgorithm: sigAlg.algorithm,
      isSignedBy: (cert) => verifySignature(cert.publicKey, sigAlg, tbsDer, signature),
    },
  };
}

const badData = (why: string) => new PkiError('MALFORMED_DER', `ResponseData: ${why}`);

function expectTlv(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv?.tag !== tag) throw badData(`expected ${what}`);
  return tlv;
}

const contentOf = (der: Uint8Array, tlv: Tlv) => der.subarray(tlv.contentStart, tlv.end);
const timeAt = (der: Uint8Array, tlv: Tlv | undefined, what: string) =>
  decodeGeneralizedTime(contentOf(der, expectTlv(tlv, 0x18, what)), `ResponseData: ${what}`);

/**
 * ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, responderID ResponderID,
 *   producedAt GeneralizedTime, responses SEQUENCE OF SingleResponse,
 *   responseExtensions [1] EXPLICIT Extensions OPTIONAL } (RFC 6960 §4.2.1), read strictly as DER
 * over the TLV reader. Hand-written like the request parser: a validator reads one for every
 * signature it checks, and the ASN.1 library's generic parse of this small fixed structure cost
 * as much as the response's signature verification. Throws MALFORMED_DER.
 */
function readResponseData(
  tbs: Uint8Array,
): Pick<
  NonNullable<ParsedOcspResponse['basic']>,
  'producedAt' | 'responderByKey' | 'responderByNameDer' | 'responses' | 'nonceExtnValue'
> {
  const fields = children(tbs, readTlv(tbs, 0));
  let p = 0;
  if (fields[p]?.tag === 0xa0) {
    const [version, more] = children(tbs, fields[p++]!);
    const v = expectTlv(version, 0x02, 'version');
    if (more || v.end - v.contentStart !== 1 || tbs[v.contentStart] !== 0)
      throw badData('unsupported version');
  }
  // ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }, explicitly tagged
  const responderTlv = fields[p++];
  const [responder, more] = responderTlv ? children(tbs, responderTlv) : [];
  let responderId: { responderByKey: Uint8Array } | { responderByNameDer: Uint8Array };
  if (responderTlv?.tag === 0xa1 && responder?.tag === 0x30 && !more)
    responderId = { responderByNameDer: tbs.subarray(responder.start, responder.end) };
  else if (responderTlv?.tag === 0xa2 && responder?.tag === 0x04 && !more)
    responderId = { responderByKey: contentOf(tbs, responder) };
  else throw badData('bad responderID');
  const producedAt = timeAt(tbs, fields[p++], 'producedAt');
  const responses = children(tbs, expectTlv(fields[p++], 0x30, 'responses')).map((r) =>
    readSingleResponse(tbs, r),
  );
  let nonceExtnValue: Uint8Array | undefined;
  if (fields[p]?.tag === 0xa1)
    nonceExtnValue = readExtensions(tbs, fields[p++]!).find((e) => e.oid === OID.pkixOcspNonce)?.value;
  if (fields[p]) throw badData('unexpected field');
  return { ...responderId, producedAt, responses, ...(nonceExtnValue ? { nonceExtnValue } : {}) };
}

/** [n] EXPLICIT Extensions, Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension */
function readExtensions(der: Uint8Array, tagged: Tlv): Array<{ oid: string; value: Uint8Array }> {
  const [list, extra] = children(der, tagged);
  if (extra) throw badData('bad Extensions');
  return children(der, expectTlv(list, 0x30, 'Extensions')).map((e) => readExtension(der, e));
}

/** Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
function readExtension(der: Uint8Array, tlv: Tlv): { oid: string; value: Uint8Array } {
  const [id, second, third, extra] = children(der, expectTlv(tlv, 0x30, 'Extension'));
  const critical = second?.tag === 0x01;
  const value = expectTlv(critical ? third : second, 0x04, 'extnValue');
  if (critical ? extra : third) throw badData('bad Extension');
  return { oid: decodeOid(contentOf(der, expectTlv(id, 0x06, 'extnID'))), value: contentOf(der, value) };
}

/**
 * SingleResponse ::= SEQUENCE { certID CertID, certStatus CertStatus, thisUpdate GeneralizedTime,
 *   nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] EXPLICIT Extensions OPTIONAL }
 */
function readSingleResponse(der: Uint8Array, tlv: Tlv): ParsedSingleResponse {
  const f = children(der, expectTlv(tlv, 0x30, 'SingleResponse'));
  // CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
  //   issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
  const [alg, nameHash, keyHash, serial, extraId] = children(der, expectTlv(f[0], 0x30, 'CertID'));
  const [hashOid, parameters, extraAlg] = children(der, expectTlv(alg, 0x30, 'hashAlgorithm'));
  if (extraId || extraAlg) throw badData('bad CertID');
  // hash algorithm parameters are absent or NULL (RFC 5754 §2, RFC 3279 §2.1)
  if (parameters && !(parameters.tag === 0x05 && parameters.end === parameters.contentStart))
    throw badData('hash algorithm parameters must be absent or NULL');
  const serialTlv = expectTlv(serial, 0x02, 'serialNumber');
  if (serialTlv.end === serialTlv.contentStart) throw badData('empty serialNumber');
  const certId: OcspCertId = {
    hashAlgorithm: decodeOid(contentOf(der, expectTlv(hashOid, 0x06, 'hashAlgorithm OID'))),
    issuerNameHash: contentOf(der, expectTlv(nameHash, 0x04, 'issuerNameHash')),
    issuerKeyHash: contentOf(der, expectTlv(keyHash, 0x04, 'issuerKeyHash')),
    serialNumber: contentOf(der, serialTlv),
  };
  const status = readCertStatus(der, f[1]);
  const thisUpdate = timeAt(der, f[2], 'thisUpdate');
  let p = 3;
  let nextUpdate: Date | undefined;
  if (f[p]?.tag === 0xa0) {
    const [time, extra] = children(der, f[p++]!);
    if (extra) throw badData('bad nextUpdate');
    nextUpdate = timeAt(der, time, 'nextUpdate');
  }
  if (f[p]?.tag === 0xa1) readExtensions(der, f[p++]!); // singleExtensions: none riik uses
  if (f[p]) throw badData('unexpected field in SingleResponse');
  return {
    serialHex: Buffer.from(certId.serialNumber).toString('hex'),
    certId,
    status,
    thisUpdate,
    ...(nextUpdate ? { nextUpdate } : {}),
  };
}

/**
 * CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT NULL };
 * RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
 */
function readCertStatus(der: Uint8Array, tlv: Tlv | undefined): CertStatusValue {
  if (tlv?.tag === 0x80 && tlv.end === tlv.contentStart) return { status: 'good' };
  if (tlv?.tag === 0x82 && tlv.end === tlv.contentStart) return { status: 'unknown' };
  if (tlv?.tag !== 0xa1) throw badData('bad certStatus');
  const [time, reasonTlv, extra] = children(der, tlv);
  const revokedAt = timeAt(der, time, 'revocationTime');
  if (extra || (reasonTlv && reasonTlv.tag !== 0xa0)) throw badData('bad RevokedInfo');
  if (!reasonTlv) return { status: 'revoked', revokedAt, reason: 'unspecified' };
  const [enumerated, more] = children(der, reasonTlv);
  const e = expectTlv(enumerated, 0x0a, 'CRLReason');
  if (more || e.end - e.contentStart !== 1) throw badData('bad CRLReason');
  return { status: 'revoked', revokedAt, reason: reasonName(der[e.contentStart]!) ?? 'unspecified' };
}

/**
 * OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT SEQUENCE {
 * responseType OBJECT IDENTIFIER, response OCTET STRING } OPTIONAL } (RFC 6960 4.2.1), read by hand:
 * the ASN.1 library also tries to read the OCTET STRING's content as ASN.1, which made this outer
 * shell cost more than the response inside.
 */
function readOcspResponse(der: Uint8Array): {
  responseStatus: number;
  responseBytes?: { responseType: string; response: Uint8Array };
} {
  const bad = (why: string) => new PkiError('MALFORMED_DER', `OCSP response: ${why}`);
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw bad('expected one SEQUENCE');
  const [statusTlv, bytesTlv, extra] = children(der, outer);
  if (statusTlv?.tag !== 0x0a || statusTlv.end - statusTlv.contentStart !== 1)
    throw bad('bad responseStatus');
  if (extra || (bytesTlv && bytesTlv.tag !== 0xa0)) throw bad('unexpected fields');
  const responseStatus = der[statusTlv.contentStart]!;
  if (!bytesTlv) return { responseStatus };
  const [seq, more] = children(der, bytesTlv);
  if (seq?.tag !== 0x30 || more) throw bad('bad responseBytes');
  const [typeTlv, responseTlv, rest] = children(der, seq);
  if (typeTlv?.tag !== 0x06 || responseTlv?.tag !== 0x04 || rest) throw bad('bad ResponseBytes');
  return {
    responseStatus,
    responseBytes: {
      responseType: decodeOid(der.subarray(typeTlv.contentStart, typeTlv.end)),
      response: der.subarray(responseTlv.contentStart, responseTlv.end),
    },
  };
}
