/**
 * Integer helpers for tree indices and sizes.
 *
 * Sizes and indices are JavaScript numbers limited to safe integers (< 2^53), so the 32-bit
 * bitwise operators cannot be used on them; these helpers use exact float arithmetic instead.
 */
import { MerkleError } from './errors.js';

const TWO_32 = 0x1_0000_0000;

/** Throws BAD_ARGUMENT unless `n` is a non-negative safe integer. */
export function checkCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new MerkleError('BAD_ARGUMENT', `${name} must be a non-negative safe integer, got ${String(n)}`);
  }
}

/** Number of bits needed to write n (0 for 0). */
export function bitLength(n: number): number {
  if (n < TWO_32) return 32 - Math.clz32(n);
  return 64 - Math.clz32(Math.floor(n / TWO_32));
}

/** 2^k for 0 ≤ k ≤ 53, exactly. */
export function pow2(k: number): number {
  return 2 ** k;
}

/** The largest power of two strictly below n (n ≥ 2): RFC 9162's k for splitting D[n]. */
export function splitPoint(n: number): number {
  return pow2(bitLength(n - 1) - 1);
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && pow2(bitLength(n) - 1) === n;
}

/** floor(n / 2^k) for safe integers. */
export function shiftRight(n: number, k: number): number {
  return k === 0 ? n : Math.floor(n / pow2(k));
}
