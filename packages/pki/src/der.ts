import { AsnConvert } from '@peculiar/asn1-schema';
import { PkiError } from './errors.js';

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
    return AsnConvert.parse(der, type);
  } catch (err) {
    if (err instanceof PkiError)
      throw new PkiError('MALFORMED_DER', `${what}: ${err.message}`, { cause: err });
    throw new PkiError('MALFORMED_DER', `${what} is not valid DER: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export function serializeDer(value: unknown): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(value));
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
