/**
 * Errors with a closed set of string codes.
 *
 * Every package declares its own subclass with its own code union, so a caller can
 * switch exhaustively on `err.code` and tests can assert codes rather than messages.
 * Layers convert errors at their boundary (codec error → domain error → HTTP response),
 * keeping the original as `cause`.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True when `err` is a CodedError carrying `code` (works across package copies). */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === code;
}

/** A short, safe description of an unknown thrown value for logs and messages. */
export function describeError(err: unknown): string {
  if (err instanceof CodedError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
