import { createHash, randomBytes } from 'node:crypto';
import { ContentInfo, id_signedData, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, TimeStampReq, TimeStampResp, TSTInfo, id_ct_tstInfo } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { bytesEqual, CodedError } from '@riik/core';
import { children, Certificate, OID, readTlv, verifySignature } from '@riik/pki';

/*
 * An RFC 3161 time-stamp client for the message log: request a token over a SHA-512 imprint, and check
 * what comes back — status granted, a SignedData over a TSTInfo with our imprint and nonce, signed
 * (through the signed attributes' messageDigest) by the TSA certificate the caller trusts.
 *
 * riik's TSA and its shared RFC 3161 codec are built on the `tsa` branch; this client is written
 * against RFC 3161 with @peculiar/asn1-tsp so the security server does not depend on that branch.
 */

export type TspFault = 'TSA_UNAVAILABLE' | 'TSA_REFUSED' | 'BAD_RESPONSE' | 'UNTRUSTED_TSA';
export class TspError extends CodedError<TspFault> {}

const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const HASH_OIDS: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface TimeStamp {
  /** DER of the TimeStampToken (a CMS ContentInfo). */
  readonly token: Uint8Array;
  readonly genTime: Date;
  readonly tsaCertificate: Certificate;
}

export function buildTimeStampRequest(imprint: Uint8Array, nonce: Uint8Array): Uint8Array {
  const req = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: OID.sha512 }),
      hashedMessage: new OctetString(imprint),
    }),
    nonce: nonce.buffer.slice(nonce.byteOffset, nonce.byteOffset + nonce.byteLength) as ArrayBuffer,
    certReq: true,
  });
  return new Uint8Array(AsnConvert.serialize(req));
}

function bad(message: string, cause?: unknown): TspError {
  return new TspError('BAD_RESPONSE', message, cause === undefined ? undefined : { cause });
}

const u8 = (b: ArrayBuffer | ArrayBufferView) =>
  b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** Strip leading zero octets of a DER INTEGER's content (nonces compare as numbers). */
function intBytes(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/**
 * Verify a TimeStampToken (DER ContentInfo) over `imprint` (SHA-512). `trust` decides on the signer
 * certificate (approved TSA). Returns the token's time and signer.
 */
export function verifyTimeStampToken(
  token: Uint8Array,
  imprint: Uint8Array,
  nonce: Uint8Array | undefined,
  trust: (cert: Certificate) => boolean,
): TimeStamp {
  let signed: SignedData;
  let tst: TSTInfo;
  let eContent: Uint8Array;
  try {
    const ci = AsnConvert.parse(token, ContentInfo);
    if (ci.contentType !== id_signedData) throw bad('the token is not SignedData');
    signed = AsnConvert.parse(ci.content, SignedData);
    if (signed.encapContentInfo.eContentType !== id_ct_tstInfo)
      throw bad('the token does not hold a TSTInfo');
    const ec = signed.encapContentInfo.eContent;
    if (!ec?.single) throw bad('the token has no TSTInfo content');
    eContent = u8(ec.single.buffer);
    tst = AsnConvert.parse(eContent, TSTInfo);
  } catch (err) {
    if (err instanceof TspError) throw err;
    throw bad('the time-stamp token cannot be read', err);
  }
  if (
    tst.messageImprint.hashAlgorithm.algorithm !== OID.sha512 ||
    !bytesEqual(u8(tst.messageImprint.hashedMessage.buffer), imprint)
  )
    throw bad('the time-stamp is over another imprint');
  if (nonce && (!tst.nonce || !bytesEqual(intBytes(u8(tst.nonce)), intBytes(nonce))))
    throw bad('the time-stamp does not echo our nonce');
  if (signed.signerInfos.length !== 1) throw bad('the token must have exactly one signer');
  const si = signed.signerInfos[0]!;
  const certs = (signed.certificates ?? [])
    .filter((c) => c.certificate)
    .map((c) => Certificate.fromDer(new Uint8Array(AsnConvert.serialize(c.certificate!))));
  const sid = si.sid;
  const signer = certs.find((c) => {
    if (sid.issuerAndSerialNumber) {
      const serial = Buffer.from(u8(sid.issuerAndSerialNumber.serialNumber)).toString('hex');
      return (
        serial === c.serialHex &&
        bytesEqual(new Uint8Array(AsnConvert.serialize(sid.issuerAndSerialNumber.issuer)), c.issuerDer)
      );
    }
    if (sid.subjectKeyIdentifier)
      return (
        c.subjectKeyIdentifier !== undefined &&
        bytesEqual(u8(sid.subjectKeyIdentifier.buffer), c.subjectKeyIdentifier)
      );
    return false;
  });
  if (!signer) throw bad('the token does not carry its signer certificate (certReq was set)');
  if (!(signer.extendedKeyUsage ?? []).includes(OID.kpTimeStamping))
    throw new TspError('UNTRUSTED_TSA', 'the signer is not a time-stamping unit');
  if (!trust(signer)) throw new TspError('UNTRUSTED_TSA', `${signer.subjectString} is not an approved TSA`);
  if (!si.signedAttrs) throw bad('the signer info has no signed attributes');
  const attr = (oid: string) => si.signedAttrs!.find((a) => a.attrType === oid)?.attrValues[0];
  if (!attr(OID_CONTENT_TYPE)) throw bad('missing content-type attribute');
  const md = attr(OID_MESSAGE_DIGEST);
  const hash = HASH_OIDS[si.digestAlgorithm.algorithm];
  if (!md || !hash) throw bad('missing message-digest attribute or unsupported digest');
  const mdValue = u8(AsnConvert.parse(md, OctetString).buffer);
  if (!bytesEqual(mdValue, new Uint8Array(createHash(hash).update(eContent).digest())))
    throw bad('the message-digest attribute does not match the TSTInfo');
  // The signature covers the DER of the signed attributes as a SET (RFC 5652 §5.4), cut from the
  // token as it arrived rather than re-encoded.
  const attrs = signedAttributesBytes(token);
  attrs[0] = 0x31;
  if (!verifySignature(signer.publicKey, si.signatureAlgorithm, attrs, u8(si.signature.buffer)))
    throw bad('the time-stamp signature does not verify');
  return { token, genTime: tst.genTime, tsaCertificate: signer };
}

/** The `[0] IMPLICIT SignedAttributes` of the (single) SignerInfo of a token, as encoded. */
function signedAttributesBytes(token: Uint8Array): Uint8Array {
  try {
    const ci = children(token, readTlv(token, 0));
    const explicit = ci.find((t) => t.tag === 0xa0);
    const sd = children(token, children(token, explicit!)[0]!);
    const signerInfos = sd.at(-1)!;
    const si = children(token, children(token, signerInfos)[0]!);
    const attrs = si.find((t) => t.tag === 0xa0);
    if (!attrs) throw bad('the signer info has no signed attributes');
    return token.slice(attrs.start, attrs.end);
  } catch (err) {
    if (err instanceof TspError) throw err;
    throw bad('the signed attributes cannot be located', err);
  }
}

/** Ask `url` for a time-stamp over `imprint` (a SHA-512 digest) and verify the answer. */
export async function requestTimeStamp(
  url: string,
  imprint: Uint8Array,
  trust: (cert: Certificate) => boolean,
  timeoutMs = 10_000,
): Promise<TimeStamp> {
  const nonce = new Uint8Array(randomBytes(8));
  nonce[0]! &= 0x7f;
  let body: Uint8Array;
  try {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: buildTimeStampRequest(imprint, nonce),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    body = new Uint8Array(await r.arrayBuffer());
    if (!r.ok) throw new TspError('TSA_UNAVAILABLE', `${url} answered HTTP ${r.status}`);
  } catch (err) {
    if (err instanceof TspError) throw err;
    throw new TspError('TSA_UNAVAILABLE', `${url} unreachable: ${(err as Error).message}`, { cause: err });
  }
  if (body.length > 256 * 1024) throw bad('time-stamp response too large');
  let resp: TimeStampResp;
  try {
    resp = AsnConvert.parse(body, TimeStampResp);
  } catch (err) {
    throw bad('the time-stamp response cannot be read', err);
  }
  if ((resp.status.status as number) > 1 || !resp.timeStampToken)
    throw new TspError(
      'TSA_REFUSED',
      `${url} refused: status ${resp.status.status} ${resp.status.statusString?.join(' ') ?? ''}`,
    );
  const token = new Uint8Array(AsnConvert.serialize(resp.timeStampToken));
  return verifyTimeStampToken(token, imprint, nonce, trust);
}

export function sha512(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha512').update(data).digest());
}
