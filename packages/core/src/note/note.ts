/**
 * C2SP signed notes (https://c2sp.org/signed-note): parse, open (verify) and sign.
 *
 * openNote follows Go's golang.org/x/mod/sumdb/note Open rule for rule, in the same order:
 *  1. the message must be valid UTF-8 with no ASCII control character but newline;
 *  2. it is split at the LAST "\n\n": text (with its final newline) before, signature block after;
 *     the block must be non-empty and end in a newline;
 *  3. each signature line is "— " (U+2014, space), a valid key name, a space, and standard
 *     base64 of at least 5 bytes (4-byte key ID + signature); anything else is malformed;
 *  4. more than 100 signature lines is malformed (C2SP requires accepting at least 16);
 *  5. a line whose (name, key ID) is unknown is kept as unverified, identical lines once;
 *  6. a known key's first signature must verify, or the whole note is refused
 *     (INVALID_SIGNATURE); further signatures by the same key are skipped;
 *  7. no verified signature at all is NO_VERIFIABLE_SIGNATURES (the parsed note is on the error).
 * One addition: messages over 1 MiB are malformed, so a hostile note cannot make us scan forever.
 */
import { NoteError } from './errors.js';
import {
  checkKeyName,
  verifierList,
  type NoteSigner,
  type NoteVerifier,
  type NoteVerifiers,
} from './keys.js';
import {
  decodeStdBase64,
  encodeStdBase64,
  formatKeyId,
  hasOnlyNewlineControls,
  isValidKeyName,
  isWellFormed,
  strictUtf8,
  utf8,
} from './text.js';

export interface NoteSignature {
  readonly name: string;
  /** uint32 key ID from the first 4 signature bytes. */
  readonly keyId: number;
  /** The base64 text as it appeared on the signature line (key ID and signature). */
  readonly base64: string;
}

export interface Note {
  /** The signed text, ending in a newline. */
  readonly text: string;
  /** Verified signatures, in order of appearance. */
  readonly signatures: readonly NoteSignature[];
  /** Signatures by keys the verifier did not know. */
  readonly unverifiedSignatures: readonly NoteSignature[];
}

/** Go's limit on signature lines. */
export const MAX_NOTE_SIGNATURES = 100;
/** riik's limit on a whole note. */
export const MAX_NOTE_SIZE = 1 << 20;

const SIG_PREFIX = '\u2014 ';

const malformed = (why: string): NoteError =>
  new NoteError('MALFORMED_NOTE', 'malformed note', { cause: why });

interface SignatureLine extends NoteSignature {
  readonly line: string;
  readonly signature: Uint8Array;
}

function toBytes(message: Uint8Array | string): Uint8Array {
  if (typeof message === 'string') {
    if (!isWellFormed(message)) throw malformed('lone surrogate');
    return utf8.encode(message);
  }
  if (!(message instanceof Uint8Array)) throw malformed('not bytes or text');
  return message;
}

/** Steps 1 and 2: the text and the raw signature lines (without their newlines). */
function split(message: Uint8Array | string): { text: string; lines: string[] } {
  const bytes = toBytes(message);
  if (bytes.byteLength > MAX_NOTE_SIZE) throw malformed('note too large');
  let decoded: string;
  try {
    decoded = strictUtf8.decode(bytes);
  } catch {
    throw malformed('not UTF-8');
  }
  if (!hasOnlyNewlineControls(decoded)) throw malformed('control character');
  const at = decoded.lastIndexOf('\n\n');
  if (at < 0) throw malformed('no blank line before the signatures');
  const block = decoded.slice(at + 2);
  if (block === '' || !block.endsWith('\n')) throw malformed('signature block must end in a newline');
  return { text: decoded.slice(0, at + 1), lines: block.slice(0, -1).split('\n') };
}

/** Steps 3 and 4 for the `count`-th line (0-based). */
function parseSignatureLine(line: string, count: number): SignatureLine {
  if (!line.startsWith(SIG_PREFIX)) throw malformed('signature line must start with an em dash and a space');
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const base64 = space < 0 ? '' : rest.slice(space + 1);
  const raw = decodeStdBase64(base64);
  if (raw === undefined || !isValidKeyName(name) || base64 === '' || raw.byteLength < 5) {
    throw malformed('bad signature line');
  }
  if (count >= MAX_NOTE_SIGNATURES) throw malformed('too many signatures');
  const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
  return { line, name, keyId, base64, signature: raw.subarray(4) };
}

/**
 * The text and signature lines of a note, checked for syntax only (no signature is verified, and
 * none is dropped): for looking at a note before deciding which keys to trust.
 */
export function parseNote(message: Uint8Array | string): { text: string; signatures: NoteSignature[] } {
  const { text, lines } = split(message);
  const signatures = lines.map((line, i) => {
    const { name, keyId, base64 } = parseSignatureLine(line, i);
    return { name, keyId, base64 };
  });
  return { text, signatures };
}

/** Opens a signed note, verifying the signatures of the known keys (the rules are above). */
export function openNote(message: Uint8Array | string, known: NoteVerifiers | readonly NoteVerifier[]): Note {
  const verifiers = isVerifierArray(known) ? verifierList(known) : known;
  const { text, lines } = split(message);
  const textBytes = utf8.encode(text);
  const signatures: NoteSignature[] = [];
  const unverifiedSignatures: NoteSignature[] = [];
  const seen = new Set<string>();
  const seenUnverified = new Set<string>();
  // Line by line, as Go: an invalid signature before a malformed line is reported as invalid.
  lines.forEach((rawLine, i) => {
    const { line, name, keyId, base64, signature } = parseSignatureLine(rawLine, i);
    const verifier = verifiers.verifier(name, keyId);
    if (verifier === undefined) {
      if (seenUnverified.has(line)) return;
      seenUnverified.add(line);
      unverifiedSignatures.push({ name, keyId, base64 });
      return;
    }
    if (verifier.name !== name || verifier.keyId !== keyId) {
      throw new NoteError('AMBIGUOUS_KEY', "verifier name or hash doesn't match signature");
    }
    const key = `${name}+${formatKeyId(keyId)}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (!verifier.verify(textBytes, signature)) {
      throw new NoteError('INVALID_SIGNATURE', `invalid signature for key ${key}`);
    }
    signatures.push({ name, keyId, base64 });
  });
  const note: Note = { text, signatures, unverifiedSignatures };
  if (signatures.length === 0) {
    throw new NoteError('NO_VERIFIABLE_SIGNATURES', 'note has no verifiable signatures', { note });
  }
  return note;
}

function isVerifierArray(known: NoteVerifiers | readonly NoteVerifier[]): known is readonly NoteVerifier[] {
  return Array.isArray(known);
}

/**
 * Signs a note text (or re-signs an opened note, keeping its signatures) with `signers`, as Go's
 * Sign: existing signatures first, minus any by a key among the signers, then the new ones.
 * Refuses texts that openNote would refuse (no final newline, control characters).
 */
export async function signNote(
  note: string | (Pick<Note, 'text'> & Partial<Pick<Note, 'signatures' | 'unverifiedSignatures'>>),
  signers: readonly NoteSigner[],
): Promise<string> {
  const {
    text,
    signatures = [],
    unverifiedSignatures = [],
  } = typeof note === 'string' ? { text: note } : note;
  if (
    typeof text !== 'string' ||
    !text.endsWith('\n') ||
    !isWellFormed(text) ||
    !hasOnlyNewlineControls(text)
  ) {
    throw malformed('text must be UTF-8 ending in a newline, without control characters');
  }
  const textBytes = utf8.encode(text);
  const replaced = new Set<string>();
  let fresh = '';
  for (const signer of signers) {
    try {
      checkKeyName(signer.name);
    } catch {
      throw new NoteError('INVALID_SIGNER', 'invalid signer');
    }
    replaced.add(`${signer.name}+${formatKeyId(signer.keyId)}`);
    const sig = await signer.sign(textBytes);
    const raw = new Uint8Array(4 + sig.byteLength);
    new DataView(raw.buffer).setUint32(0, signer.keyId >>> 0);
    raw.set(sig, 4);
    fresh += `${SIG_PREFIX}${signer.name} ${encodeStdBase64(raw)}\n`;
  }
  let out = `${text}\n`;
  for (const sig of [...signatures, ...unverifiedSignatures]) {
    if (!isValidKeyName(sig.name)) throw malformed('existing signature has a bad name');
    if (replaced.has(`${sig.name}+${formatKeyId(sig.keyId)}`)) continue;
    const raw = decodeStdBase64(sig.base64);
    if (
      raw === undefined ||
      raw.byteLength < 4 ||
      new DataView(raw.buffer).getUint32(0) !== sig.keyId >>> 0
    ) {
      throw malformed('existing signature does not match its key ID');
    }
    out += `${SIG_PREFIX}${sig.name} ${sig.base64}\n`;
  }
  return out + fresh;
}
