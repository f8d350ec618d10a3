import type { HashAlgorithm } from '@riik/keys';
import { toHex } from '@riik/core';
import {
  children,
  decodeGeneralizedTime,
  decodeOid,
  encodeGeneralizedTime,
  encodeOid,
  encodeSequence,
  encodeSmallInteger,
  encodeTlv,
  encodeUnsignedInteger,
  readTlv,
  type Tlv,
} from '../der.js';
import { PkiError } from '../errors.js';
import { encodeMessageImprint, hashOfOid } from './imprint.js';

/** Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] 1..999, micros [1] 1..999 }. */
export interface Accuracy {
  seconds?: number;
  millis?: number;
  micros?: number;
}

/** What a TSA puts into a TSTInfo (RFC 3161 §2.4.2). */
export interface TstInfoInput {
  policy: string;
  /** The request's MessageImprint DER (echoed byte for byte), or the hash and digest. */
  messageImprint: Uint8Array | { hash: HashAlgorithm; hashedMessage: Uint8Array };
  /** Unsigned big-endian serial; RFC 3161 clients handle up to 160 bits, so at most 20 octets. */
  serialNumber: Uint8Array;
  /** genTime; milliseconds are written when not zero. */
  genTime: Date;
  accuracy?: Accuracy;
  ordering?: boolean;
  /** The request nonce's INTEGER content octets. */
  nonce?: Uint8Array;
  /** DER of a GeneralName for the tsa field (e.g. directoryName of the TSA certificate subject). */
  tsaName?: Uint8Array;
}

/** A TSTInfo as read from a token. */
export interface TstInfo {
  /** The exact DER (the signed eContent). */
  der: Uint8Array;
  version: number;
  policy: string;
  messageImprint: { algorithm: string; hash?: HashAlgorithm; hashedMessage: Uint8Array };
  /** INTEGER content octets of serialNumber, and the same as hex. */
  serialNumber: Uint8Array;
  serialHex: string;
  genTime: Date;
  accuracy?: Accuracy;
  ordering: boolean;
  /** INTEGER content octets of the nonce. */
  nonce?: Uint8Array;
  /** DER of the tsa GeneralName, when present. */
  tsaName?: Uint8Array;
  /** Extension OIDs (riik's TSA writes none). */
  extensions: string[];
}

function accuracyDer(a: Accuracy): Uint8Array {
  const parts: Uint8Array[] = [];
  if (a.seconds) parts.push(encodeSmallInteger(a.seconds));
  for (const [tag, v] of [
    [0x80, a.millis],
    [0x81, a.micros],
  ] as const) {
    if (v === undefined || v === 0) continue;
    if (!Number.isInteger(v) || v < 1 || v > 999)
      throw new PkiError('BAD_ARGUMENT', 'accuracy part must be 1-999');
    parts.push(encodeTlv(tag, encodeSmallInteger(v).subarray(2)));
  }
  return encodeSequence(parts);
}

/** DER TSTInfo. Written by hand because it is built once per token on the TSA's hot path. */
export function encodeTstInfo(
  input: TstInfoInput,
  policyOid: Uint8Array = encodeOid(input.policy),
): Uint8Array {
  if (input.serialNumber.length === 0 || input.serialNumber.length > 20)
    throw new PkiError('BAD_ARGUMENT', 'serialNumber must be 1-20 octets');
  const fields = [
    VERSION_1,
    policyOid,
    input.messageImprint instanceof Uint8Array
      ? input.messageImprint
      : encodeMessageImprint(input.messageImprint.hash, input.messageImprint.hashedMessage),
    encodeUnsignedInteger(input.serialNumber),
    encodeGeneralizedTime(input.genTime, true),
  ];
  if (input.accuracy && (input.accuracy.seconds || input.accuracy.millis || input.accuracy.micros))
    fields.push(accuracyDer(input.accuracy));
  if (input.ordering) fields.push(new Uint8Array([0x01, 0x01, 0xff]));
  if (input.nonce) fields.push(encodeTlv(0x02, input.nonce));
  if (input.tsaName) fields.push(encodeTlv(0xa0, input.tsaName)); // [0] GeneralName: explicit (a CHOICE)
  return encodeSequence(fields);
}

const VERSION_1 = new Uint8Array([0x02, 0x01, 0x01]);

const bad = (why: string) => new PkiError('MALFORMED_DER', `TSTInfo: ${why}`);

function integerContent(der: Uint8Array, tlv: Tlv | undefined, what: string): Uint8Array {
  if (!tlv || tlv.tag !== 0x02 || tlv.end === tlv.contentStart) throw bad(`expected ${what}`);
  return der.slice(tlv.contentStart, tlv.end);
}

function smallNumber(bytes: Uint8Array, what: string): number {
  if (bytes.length > 6 || bytes[0]! & 0x80) throw bad(`bad ${what}`);
  return bytes.reduce((v, b) => v * 256 + b, 0);
}

/** Parse TSTInfo DER strictly (the eContent of a token). */
export function parseTstInfo(input: Uint8Array): TstInfo {
  const der = new Uint8Array(input);
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw bad('expected one SEQUENCE');
  const f = children(der, outer);
  let p = 0;
  const version = smallNumber(integerContent(der, f[p++], 'version'), 'version');
  const policyTlv = f[p++];
  if (policyTlv?.tag !== 0x06) throw bad('expected policy');
  const policy = decodeOid(der.subarray(policyTlv.contentStart, policyTlv.end));
  const mi = f[p++];
  if (mi?.tag !== 0x30) throw bad('expected messageImprint');
  const [alg, hashed] = children(der, mi);
  const oid = alg && alg.tag === 0x30 ? children(der, alg)[0] : undefined;
  if (!oid || oid.tag !== 0x06 || !hashed || hashed.tag !== 0x04) throw bad('bad messageImprint');
  const algorithm = decodeOid(der.subarray(oid.contentStart, oid.end));
  const hash = hashOfOid(algorithm);
  const serialNumber = integerContent(der, f[p++], 'serialNumber');
  const timeTlv = f[p++];
  if (timeTlv?.tag !== 0x18) throw bad('expected genTime');
  // RFC 3161 §2.4.2: UTC, no leap seconds
  const genTime = decodeGeneralizedTime(der.subarray(timeTlv.contentStart, timeTlv.end), 'TSTInfo: genTime');
  const info: TstInfo = {
    der,
    version,
    policy,
    messageImprint: {
      algorithm,
      ...(hash ? { hash } : {}),
      hashedMessage: der.slice(hashed.contentStart, hashed.end),
    },
    serialNumber,
    serialHex: toHex(serialNumber),
    genTime,
    ordering: false,
    extensions: [],
  };
  let t = f[p];
  if (t?.tag === 0x30) {
    const accuracy: Accuracy = {};
    for (const a of children(der, t)) {
      const v = smallNumber(der.subarray(a.contentStart, a.end), 'accuracy');
      if (a.tag === 0x02) accuracy.seconds = v;
      else if (a.tag === 0x80) accuracy.millis = v;
      else if (a.tag === 0x81) accuracy.micros = v;
      else throw bad('bad accuracy');
    }
    info.accuracy = accuracy;
    t = f[++p];
  }
  if (t?.tag === 0x01) {
    info.ordering = der[t.contentStart] !== 0;
    t = f[++p];
  }
  if (t?.tag === 0x02) {
    info.nonce = integerContent(der, t, 'nonce');
    t = f[++p];
  }
  if (t?.tag === 0xa0) {
    const name = children(der, t)[0];
    if (!name) throw bad('empty tsa');
    info.tsaName = der.slice(name.start, name.end);
    t = f[++p];
  }
  if (t?.tag === 0xa1) {
    for (const ext of children(der, t)) {
      const id = ext.tag === 0x30 ? children(der, ext)[0] : undefined;
      if (!id || id.tag !== 0x06) throw bad('bad extension');
      info.extensions.push(decodeOid(der.subarray(id.contentStart, id.end)));
    }
    t = f[++p];
  }
  if (t !== undefined) throw bad('unexpected field');
  return info;
}
