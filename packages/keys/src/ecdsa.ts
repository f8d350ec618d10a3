import { KeyError } from './errors.js';

/**
 * ECDSA signature encodings. X.509, CMS and OCSP carry `SEQUENCE { r INTEGER, s INTEGER }`;
 * XMLDSig 1.1, JOSE and Web eID carry `r||s`, each left-padded to the field size. Written
 * here rather than through an ASN.1 library because it is two integers and sits on hot paths.
 */
export function ecdsaDerToRaw(der: Uint8Array, fieldBytes: number): Uint8Array {
  const bad = () => new KeyError('BAD_SIGNATURE_ENCODING', 'not a DER ECDSA signature');
  let p = 0;
  if (der[p++] !== 0x30) throw bad();
  let seqLen = der[p++]!;
  if (seqLen & 0x80) {
    if (seqLen !== 0x81) throw bad();
    seqLen = der[p++]!;
  }
  if (p + seqLen !== der.length) throw bad();
  const out = new Uint8Array(fieldBytes * 2);
  for (let i = 0; i < 2; i++) {
    if (der[p++] !== 0x02) throw bad();
    const len = der[p++]!;
    if (len === 0 || len > fieldBytes + 1 || p + len > der.length) throw bad();
    let int = der.subarray(p, p + len);
    p += len;
    if (int[0]! & 0x80) throw bad(); // negative
    if (int.length > 1 && int[0] === 0 && !(int[1]! & 0x80)) throw bad(); // non-minimal
    if (int[0] === 0) int = int.subarray(1);
    if (int.length > fieldBytes) throw bad();
    out.set(int, fieldBytes * (i + 1) - int.length);
  }
  if (p !== der.length) throw bad();
  return out;
}

export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0 || raw.length > 132) {
    throw new KeyError('BAD_SIGNATURE_ENCODING', 'raw ECDSA signature must be r||s of equal halves');
  }
  const half = raw.length / 2;
  const int = (b: Uint8Array): number[] => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = [...b.subarray(i)];
    return v[0]! & 0x80 ? [0, ...v] : v;
  };
  const r = int(raw.subarray(0, half));
  const s = int(raw.subarray(half));
  const body = [0x02, r.length, ...r, 0x02, s.length, ...s];
  const head = body.length < 0x80 ? [0x30, body.length] : [0x30, 0x81, body.length];
  return new Uint8Array([...head, ...body]);
}

/** Field size in bytes for the curves riik uses. */
export function curveFieldBytes(curve: 'EC-P256' | 'EC-P384'): number {
  return curve === 'EC-P256' ? 32 : 48;
}
