export { NoteError, type NoteErrorCode } from './errors.js';
export {
  SIGNATURE_TYPE,
  noteKeyId,
  formatVerifierKey,
  verifierList,
  Ed25519NoteVerifier,
  Ed25519NoteSigner,
  type NoteVerifier,
  type NoteSigner,
  type NoteVerifiers,
} from './keys.js';
export { parseVerifierKey, parseSignerKey, generateNoteKey } from './vkey.js';
export {
  openNote,
  parseNote,
  signNote,
  MAX_NOTE_SIGNATURES,
  MAX_NOTE_SIZE,
  type Note,
  type NoteSignature,
} from './note.js';
export {
  parseCheckpoint,
  formatCheckpoint,
  signCheckpoint,
  openCheckpoint,
  type Checkpoint,
  type OpenedCheckpoint,
} from './checkpoint.js';
export {
  COSIGNATURE_V1_HEADER,
  COSIGNATURE_V1_SIZE,
  cosignedMessage,
  parseCosignature,
  Ed25519CosignatureVerifier,
  Ed25519CosignatureSigner,
  type Cosignature,
} from './cosignature.js';
export { formatKeyId } from './text.js';
