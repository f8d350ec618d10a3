import { CodedError } from '../src/index.js';

/** The code of the CodedError `fn` throws, or undefined when it returns; other throws propagate. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodedError) return (err as CodedError<string>).code;
    throw err;
  }
  return undefined;
}
