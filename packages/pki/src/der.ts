import { PkiError } from './errors.js';
import { asn1Schema } from './lazy-modules.js';

/**
 * A minimal DER tag-length-value reader. The ASN.1 library parses structures; this exists to
 * cut out the exact signed bytes (TBSCertificate, ResponseData, TBSCertList,
 * CertificationRequestInfo) from the original encoding, because re-encoding a parsed
 * structure is not guaranteed to reproduce foreign bytes, and a signature covers bytes.
 */
export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export function readTlv(der: Uint8Array, offset: number): Tlv {
  const bad = (why: string) => new PkiError('MALFORMED_DER', `malformed DER at byte ${offset}: ${why}`);
  if (offset + 2 > der.length) throw bad('truncated header');
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw bad('high tag numbers are not used here');
  let p = offset + 1;
  let length = der[p++]!;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw bad('indefinite or oversized length');
    if (p + n > der.length) throw bad('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[p++]!;
    if (length < 0x80 || (n > 1 && der[p - n] === 0)) throw bad('non-minimal length');
  }
  if (p + length > der.length) throw bad('content runs past the end');
  return { tag, start: offset, contentStart: p, end: p + length };
}

/** Encode one DER element from a tag byte and its content. */
export function encodeTlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const head =
    n < 0x80
      ? [tag, n]
      : n < 0x100
        ? [tag, 0x81, n]
        : n < 0x10000
          ? [tag, 0x82, n >> 8, n & 255]
          : [tag, 0x83, n >> 16, (n >> 8) & 255, n & 255];
  const out = new Uint8Array(head.length + n);
  out.set(head);
  out.set(content, head.length);
  return out;
}

/** DER OBJECT IDENTIFIER for dotted text (X.690 §8.19). */
export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0))
    throw new PkiError('BAD_ARGUMENT', `bad OID ${oid}`);
  const out: number[] = [];
  const push = (value: number) => {
    const groups = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return encodeTlv(0x06, new Uint8Array(out));
}

/** DER SEQUENCE of already-encoded elements. */
export function encodeSequence(elements: Uint8Array[]): Uint8Array {
  return encodeTlv(0x30, Buffer.concat(elements));
}

/** The TLVs directly inside a constructed element. */
export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.contentStart; p < parent.end;) {
    const child = readTlv(der, p);
    if (child.end > parent.end) throw new PkiError('MALFORMED_DER', 'child element runs past its parent');
    out.push(child);
    p = child.end;
  }
  return out;
}

/** The raw bytes of the first element of the outer SEQUENCE (the "to be signed" part). */
export function firstElementBytes(der: Uint8Array): Uint8Array {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length)
    throw new PkiError('MALFORMED_DER', 'expected one SEQUENCE');
  const first = readTlv(der, outer.contentStart);
  return der.subarray(first.start, first.end);
}

type Ctor<T> = new () => T;

/**
 * Parse DER into an asn1-schema class, insisting on exactly one complete element, and turning
 * any library exception into a coded MALFORMED_DER error.
 */
export function parseDer<T>(der: Uint8Array, type: Ctor<T>, what: string): T {
  try {
    const outer = readTlv(der, 0);
    if (outer.end !== der.length) throw new PkiError('MALFORMED_DER', 'trailing bytes after the element');
    return asn1Schema().AsnConvert.parse(der, type);
  } catch (err) {
    if (err instanceof PkiError)
      throw new PkiError('MALFORMED_DER', `${what}: ${err.message}`, { cause: err });
    throw new PkiError('MALFORMED_DER', `${what} is not valid DER: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export function serializeDer(value: unknown): Uint8Array {
  return new Uint8Array(asn1Schema().AsnConvert.serialize(value));
}

/** ArrayBuffer view helper (asn1-schema hands out ArrayBuffers). */
export function bytes(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  return buffer instanceof ArrayBuffer
    ? new Uint8Array(buffer)
    : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** A fresh ArrayBuffer holding exactly these bytes (asn1-schema wants ArrayBuffers). */
export function arrayBuffer(data: Uint8Array): ArrayBuffer {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

/**
 * DER INTEGER for a non-negative number given as unsigned big-endian bytes: leading zeros
 * dropped, a zero octet added where the top bit would make it negative (X.690 §8.3).
 */
export function encodeUnsignedInteger(value: Uint8Array): Uint8Array {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const body = value.length === 0 ? new Uint8Array([0]) : value.subarray(start);
  if (body[0]! & 0x80) {
    const padded = new Uint8Array(body.length + 1);
    padded.set(body, 1);
    return encodeTlv(0x02, padded);
  }
  return encodeTlv(0x02, body);
}

/** DER INTEGER for a small non-negative number. */
export function encodeSmallInteger(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new PkiError('BAD_ARGUMENT', `bad integer ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    out.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return encodeUnsignedInteger(new Uint8Array(out));
}

export function encodeOctetString(content: Uint8Array): Uint8Array {
  return encodeTlv(0x04, content);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * DER GeneralizedTime (X.690 §11.7): UTC ("Z"), seconds always present, a fraction only when it
 * is not zero and then without trailing zeros.
 */
export function encodeGeneralizedTime(date: Date, withMilliseconds = false): Uint8Array {
  const ms = withMilliseconds ? date.getUTCMilliseconds() : 0;
  const fraction = ms === 0 ? '' : '.' + pad(ms, 3).replace(/0+$/, '');
  const text =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    fraction +
    'Z';
  return encodeTlv(0x18, Buffer.from(text, 'latin1'));
}

/** DER UTCTime (years 1950-2049, whole seconds). */
export function encodeUtcTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 2049) throw new PkiError('BAD_ARGUMENT', 'UTCTime covers 1950-2049 only');
  const text =
    pad(year % 100) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z';
  return encodeTlv(0x17, Buffer.from(text, 'latin1'));
}

/** Time as CMS wants it (RFC 5652 §11.3): UTCTime for 1950-2049, GeneralizedTime otherwise. */
export function encodeCmsTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  return year >= 1950 && year <= 2049 ? encodeUtcTime(date) : encodeGeneralizedTime(date);
}

/** Compare DER encodings as X.690 §11.6 orders SET OF members. */
function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The content of a DER SET OF: the members' encodings in ascending order (X.690 §11.6). */
export function sortedSetContent(elements: Uint8Array[]): Uint8Array {
  return Buffer.concat([...elements].sort(compareDer));
}

/**
 * A DER GeneralizedTime's content (X.690 §11.7): "YYYYMMDDhhmmss[.f+]Z", UTC, seconds present,
 * a fraction without trailing zeros. `what` names the field in the MALFORMED_DER message.
 */
export function decodeGeneralizedTime(content: Uint8Array, what: string): Date {
  const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d*[1-9]))?Z$/.exec(text);
  if (!m) throw new PkiError('MALFORMED_DER', `${what} ${JSON.stringify(text)} is not DER GeneralizedTime`);
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const date = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, ms));
  if (date.getUTCMonth() !== +mo! - 1 || date.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +s! > 59)
    throw new PkiError('MALFORMED_DER', `${what} is not a valid date`);
  return date;
}

/** Dotted text of an OBJECT IDENTIFIER's content octets; throws MALFORMED_DER when not minimal. */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0 || content.length > 64) throw new PkiError('MALFORMED_DER', 'bad OID length');
  // built as a string directly: names, extensions and algorithms hold dozens of OIDs per
  // certificate, and arrays joined at the end were a visible share of reading one
  let text = '';
  let value = 0;
  let fresh = true;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i]!;
    if (fresh && byte === 0x80) throw new PkiError('MALFORMED_DER', 'non-minimal OID arc');
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new PkiError('MALFORMED_DER', 'OID arc too large');
    fresh = (byte & 0x80) === 0;
    if (fresh) {
      // the first subidentifier packs two arcs (X.690 8.19.4)
      if (text === '') text = value < 40 ? `0.${value}` : value < 80 ? `1.${value - 40}` : `2.${value - 80}`;
      else text += `.${value}`;
      value = 0;
    }
  }
  if (!fresh) throw new PkiError('MALFORMED_DER', 'truncated OID');
  return text;
}
