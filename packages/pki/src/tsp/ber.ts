import { encodeTlv } from '../der.js';
import { PkiError } from '../errors.js';

/**
 * CMS lets a ContentInfo be BER (RFC 5652 §1.1.1: only signed attributes must be DER), and real
 * TSAs use that: SK's DEMO of SK TSA 2014 wraps its tokens in indefinite-length ContentInfo and
 * [0] content. This rewrites such framing as DER — definite lengths, constructed OCTET STRINGs
 * joined — and leaves every element without BER in it byte for byte as it was, so certificates,
 * TSTInfo and everything signed keep their exact octets. DER input comes back unchanged.
 */
export function berToDer(input: Uint8Array, maxDepth = 32): Uint8Array {
  // Nearly every token is DER already: a walk that allocates nothing says so, and the rewrite
  // below (which builds a part list for every element, certificates included) is left for the rest.
  if (isPlainDer(input, 0, input.length, maxDepth) === input.length) return input;
  const element = readBer(input, 0, input.length, maxDepth);
  if (element.end !== input.length) throw bad(element.end, 'trailing bytes after the element');
  return element.bytes;
}

interface BerElement {
  /** DER of the element (the original bytes when it needed no change). */
  bytes: Uint8Array;
  end: number;
}

const bad = (offset: number, why: string) =>
  new PkiError('MALFORMED_DER', `malformed BER at byte ${offset}: ${why}`);

function readBer(input: Uint8Array, offset: number, limit: number, depth: number): BerElement {
  if (depth < 0) throw bad(offset, 'nested too deeply');
  if (offset + 2 > limit) throw bad(offset, 'truncated header');
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f) throw bad(offset, 'high tag numbers are not used here');
  let p = offset + 1;
  const first = input[p++]!;
  let length: number | undefined;
  let minimal = true;
  if (first === 0x80) length = undefined;
  else if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4 || p + n > limit) throw bad(offset, 'oversized or truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + input[p++]!;
    minimal = length >= 0x80 && input[p - n] !== 0;
  } else length = first;
  const constructed = (tag & 0x20) !== 0;
  if (length === undefined && !constructed) throw bad(offset, 'indefinite length on a primitive element');

  if (!constructed) {
    const end = p + length!;
    if (end > limit) throw bad(offset, 'content runs past its parent');
    const bytes = minimal ? input.subarray(offset, end) : encodeTlv(tag, input.subarray(p, end));
    return { bytes, end };
  }

  const contentLimit = length === undefined ? limit : p + length;
  if (contentLimit > limit) throw bad(offset, 'content runs past its parent');
  const parts: Uint8Array[] = [];
  let changed = !minimal || length === undefined || tag === 0x24;
  let q = p;
  for (;;) {
    if (length === undefined) {
      if (q + 2 > limit) throw bad(q, 'missing end-of-contents');
      if (input[q] === 0 && input[q + 1] === 0) {
        q += 2;
        break;
      }
    } else if (q >= contentLimit) break;
    const child = readBer(input, q, contentLimit, depth - 1);
    if (child.bytes.buffer !== input.buffer || child.bytes.byteOffset !== input.byteOffset + q)
      changed = true;
    parts.push(child.bytes);
    q = child.end;
  }
  if (!changed) return { bytes: input.subarray(offset, q), end: q };
  if (tag === 0x24) {
    // constructed OCTET STRING: one primitive OCTET STRING with the segments' contents joined
    const segments = parts.map((part) => {
      if (part[0] !== 0x04) throw bad(offset, 'constructed OCTET STRING with a non-OCTET STRING segment');
      return part.subarray(headerLength(part));
    });
    return { bytes: encodeTlv(0x04, Buffer.concat(segments)), end: q };
  }
  return { bytes: encodeTlv(tag, Buffer.concat(parts)), end: q };
}

/**
 * The end of the element at `offset` when it and everything inside it is already what berToDer
 * would leave unchanged (minimal definite lengths, no constructed OCTET STRING, low tag numbers),
 * else -1 (then readBer rewrites it or reports what is wrong).
 */
function isPlainDer(input: Uint8Array, offset: number, limit: number, depth: number): number {
  if (depth < 0 || offset + 2 > limit) return -1;
  const tag = input[offset]!;
  if ((tag & 0x1f) === 0x1f || tag === 0x24) return -1;
  let p = offset + 1;
  let length = input[p++]!;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return -1;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + input[p++]!;
    if (length < 0x80 || input[p - n] === 0) return -1;
  }
  const end = p + length;
  if (end > limit) return -1;
  if (tag & 0x20) {
    while (p < end) {
      p = isPlainDer(input, p, end, depth - 1);
      if (p < 0) return -1;
    }
  }
  return end;
}

function headerLength(der: Uint8Array): number {
  const first = der[1]!;
  return first & 0x80 ? 2 + (first & 0x7f) : 2;
}
