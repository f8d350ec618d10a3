import { expect } from 'vitest';
import { hasCode } from '@riik/core';

/** Runs `fn` and asserts it throws an error carrying `code`; returns the error. */
export function expectCode(fn: () => unknown, code: string): Error {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected ${code}`).toBeInstanceOf(Error);
  expect((thrown as { code?: unknown }).code).toBe(code);
  expect(hasCode(thrown, code)).toBe(true);
  return thrown as Error;
}

/** Deterministic "random" UUIDs for tests. */
export function uuidSequence(prefix = '00000000-0000-4000-8000-'): () => string {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(12, '0')}`;
}
