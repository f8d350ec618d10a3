import { randomBytes } from 'node:crypto';
import { hashLength, type HashAlgorithm } from '@riik/keys/signer';
import {
  children,
  decodeOid,
  encodeOid,
  encodeSequence,
  encodeTlv,
  encodeUnsignedInteger,
  readTlv,
  type Tlv,
} from '../der.js';
import { PkiError } from '../errors.js';
import { encodeMessageImprint, hashOfOid } from './imprint.js';

/** A MessageImprint as received: the algorithm, the digest, and its exact DER (echoed into TSTInfo). */
export interface MessageImprintValue {
  /** Dotted OID of hashAlgorithm. */
  algorithm: string;
  /** The hash riik knows this OID as, if it accepts it. */
  hash?: HashAlgorithm;
  /** Whether the AlgorithmIdentifier has parameters other than absent or NULL. */
  hasParameters: boolean;
  hashedMessage: Uint8Array;
  /** DER of the whole MessageImprint. */
  der: Uint8Array;
}

export interface RequestExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** A TimeStampReq (RFC 3161 §2.4.1), parsed but not yet judged (see TimeStampAuthority). */
export interface ParsedTimeStampReq {
  der: Uint8Array;
  version: number;
  messageImprint: MessageImprintValue;
  policy?: string;
  /** INTEGER content octets of the nonce, exactly as sent (echoed into TSTInfo). */
  nonce?: Uint8Array;
  certReq: boolean;
  extensions: RequestExtension[];
}

/** Requests are small; a cap keeps a hostile one cheap. */
export const MAX_TIMESTAMP_REQUEST = 8 * 1024;
/** Longest nonce accepted (RFC 3161 sets none; 512 bits is far beyond any real client). */
export const MAX_NONCE_BYTES = 64;

const bad = (why: string) => new PkiError('MALFORMED_DER', `TimeStampReq: ${why}`);

function expect(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) throw bad(`expected ${what}`);
  return tlv;
}

/** X.690 §8.3.2: the first nine bits of an INTEGER are not all zeros or all ones. */
function isMinimalInteger(content: Uint8Array): boolean {
  if (content.length < 2) return true;
  const [a, b] = [content[0]!, content[1]! & 0x80];
  return !((a === 0 && b === 0) || (a === 0xff && b !== 0));
}

function smallInteger(der: Uint8Array, tlv: Tlv): number {
  const n = tlv.end - tlv.contentStart;
  if (n === 0 || n > 4) throw bad('bad INTEGER');
  if (der[tlv.contentStart]! & 0x80) throw bad('negative INTEGER');
  let v = 0;
  for (let i = tlv.contentStart; i < tlv.end; i++) v = v * 256 + der[i]!;
  return v;
}

/**
 * Parse a TimeStampReq strictly as DER. Written over a TLV reader rather than the ASN.1 library
 * because it sits on the TSA's hot path: asn1-schema spends ~50 µs per request, a tenth of the
 * P-384 signature each token costs. Throws PkiError MALFORMED_DER for anything that is not a
 * well-formed request (the TSA answers badDataFormat); semantic checks (version, algorithm,
 * digest length, policy, extensions) are the TSA's, so it can answer with the precise failure.
 */
export function parseTimeStampReq(input: Uint8Array): ParsedTimeStampReq {
  if (!(input instanceof Uint8Array)) throw bad('not bytes');
  if (input.length > MAX_TIMESTAMP_REQUEST) throw bad('request too large');
  const der = new Uint8Array(input); // a private copy: callers may reuse their buffer
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw bad('expected one SEQUENCE');
  const parts = children(der, outer);
  let p = 0;
  const version = smallInteger(der, expect(parts[p++], 0x02, 'version'));

  const mi = expect(parts[p++], 0x30, 'MessageImprint');
  const miParts = children(der, mi);
  const alg = expect(miParts[0], 0x30, 'AlgorithmIdentifier');
  const hashed = expect(miParts[1], 0x04, 'hashedMessage');
  if (miParts.length !== 2) throw bad('MessageImprint has extra fields');
  const algParts = children(der, alg);
  const oidTlv = expect(algParts[0], 0x06, 'hash algorithm OID');
  if (algParts.length > 2) throw bad('AlgorithmIdentifier has extra fields');
  const params = algParts[1];
  const algorithm = decodeOid(der.subarray(oidTlv.contentStart, oidTlv.end));
  const hash = hashOfOid(algorithm);
  const messageImprint: MessageImprintValue = {
    algorithm,
    ...(hash ? { hash } : {}),
    hasParameters: params !== undefined && !(params.tag === 0x05 && params.end === params.contentStart),
    hashedMessage: der.slice(hashed.contentStart, hashed.end),
    der: der.slice(mi.start, mi.end),
  };

  const request: ParsedTimeStampReq = { der, version, messageImprint, certReq: false, extensions: [] };
  let tlv = parts[p];
  if (tlv?.tag === 0x06) {
    request.policy = decodeOid(der.subarray(tlv.contentStart, tlv.end));
    tlv = parts[++p];
  }
  if (tlv?.tag === 0x02) {
    const n = tlv.end - tlv.contentStart;
    if (n === 0 || n > MAX_NONCE_BYTES) throw bad(`nonce must be 1-${MAX_NONCE_BYTES} octets`);
    if (!isMinimalInteger(der.subarray(tlv.contentStart, tlv.end))) throw bad('non-minimal nonce INTEGER');
    request.nonce = der.slice(tlv.contentStart, tlv.end);
    tlv = parts[++p];
  }
  if (tlv?.tag === 0x01) {
    if (tlv.end - tlv.contentStart !== 1) throw bad('bad BOOLEAN');
    // DER writes TRUE as 0xFF and omits a FALSE default; BER senders are accepted here.
    request.certReq = der[tlv.contentStart] !== 0;
    tlv = parts[++p];
  }
  if (tlv?.tag === 0xa0) {
    for (const ext of children(der, tlv)) {
      if (ext.tag !== 0x30) throw bad('bad Extension');
      const e = children(der, ext);
      const oid = expect(e[0], 0x06, 'extnID');
      let i = 1;
      let critical = false;
      if (e[i]?.tag === 0x01) critical = der[e[i++]!.contentStart] !== 0;
      const value = expect(e[i], 0x04, 'extnValue');
      if (e.length !== i + 1) throw bad('Extension has extra fields');
      request.extensions.push({
        oid: decodeOid(der.subarray(oid.contentStart, oid.end)),
        critical,
        value: der.slice(value.contentStart, value.end),
      });
    }
    tlv = parts[++p];
  }
  if (tlv !== undefined) throw bad('unexpected field');
  return request;
}

export interface BuildTimeStampReqOptions {
  hash: HashAlgorithm;
  /** The digest of the data to time-stamp. */
  hashedMessage: Uint8Array;
  /** Nonce: `true` (default) for 8 random octets (as openssl ts), explicit octets, or false. */
  nonce?: boolean | Uint8Array;
  /** Ask the TSA to include its certificate (default true). */
  certReq?: boolean;
  /** TSA policy OID to ask for. */
  policy?: string;
}

/**
 * Build a DER TimeStampReq. Returns the nonce as the INTEGER content octets the TSA must echo
 * (compare with `TstInfo.nonce`).
 */
export function buildTimeStampReq(options: BuildTimeStampReqOptions): {
  der: Uint8Array;
  nonce?: Uint8Array;
} {
  if (options.hashedMessage.length !== hashLength(options.hash)) {
    throw new PkiError('BAD_ARGUMENT', `a ${options.hash} digest is ${hashLength(options.hash)} bytes`);
  }
  const fields = [
    encodeTlv(0x02, new Uint8Array([1])),
    encodeMessageImprint(options.hash, options.hashedMessage),
  ];
  if (options.policy) fields.push(encodeOid(options.policy));
  let nonce: Uint8Array | undefined;
  const wanted = options.nonce ?? true;
  if (wanted) {
    const raw = wanted === true ? new Uint8Array(randomBytes(8)) : wanted;
    const integer = encodeUnsignedInteger(raw);
    nonce = integer.slice(2); // short-form length: nonces stay below 128 octets
    if (raw.length === 0 || nonce.length > MAX_NONCE_BYTES)
      throw new PkiError('BAD_ARGUMENT', `a nonce is 1-${MAX_NONCE_BYTES} octets`);
    fields.push(integer);
  }
  if (options.certReq ?? true) fields.push(new Uint8Array([0x01, 0x01, 0xff]));
  const der = encodeSequence(fields);
  return nonce ? { der, nonce } : { der };
}
