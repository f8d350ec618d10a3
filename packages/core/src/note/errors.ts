import { CodedError } from '../errors.js';
import type { Note } from './note.js';

/**
 * Why a signed note, key, checkpoint or cosignature was refused.
 *
 * Messages of the first three are Go sumdb/note's error strings ("malformed note", "note has no
 * verifiable signatures", "invalid signature for key NAME+ID"), so logs read the same across
 * implementations.
 */
export type NoteErrorCode =
  | 'MALFORMED_NOTE'
  | 'NO_VERIFIABLE_SIGNATURES'
  | 'INVALID_SIGNATURE'
  | 'AMBIGUOUS_KEY'
  | 'MALFORMED_KEY'
  | 'UNKNOWN_KEY_TYPE'
  | 'KEY_ID_MISMATCH'
  | 'INVALID_SIGNER'
  | 'MALFORMED_CHECKPOINT'
  | 'ORIGIN_MISMATCH'
  | 'LOG_SIGNATURE_MISSING'
  | 'MALFORMED_COSIGNATURE'
  | 'BAD_ARGUMENT';

export class NoteError extends CodedError<NoteErrorCode> {
  /** For NO_VERIFIABLE_SIGNATURES: the note as parsed, all its signatures unverified. */
  readonly note: Note | undefined;

  constructor(code: NoteErrorCode, message: string, options?: { cause?: unknown; note?: Note }) {
    super(code, message, options);
    this.note = options?.note;
  }
}
