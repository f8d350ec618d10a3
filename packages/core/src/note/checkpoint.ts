/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text of a signed tree head.
 *
 *   <origin>\n
 *   <tree size, decimal, no leading zeros>\n
 *   <base64 root hash>\n
 *   [<extension line>\n ...]
 */
import { NoteError } from './errors.js';
import type { NoteSigner, NoteVerifier } from './keys.js';
import { openNote, signNote, type Note } from './note.js';
import {
  decodeCanonicalBase64,
  encodeStdBase64,
  formatKeyId,
  hasOnlyNewlineControls,
  isWellFormed,
} from './text.js';

export interface Checkpoint {
  /** The log's identity, e.g. "example.com/log42". */
  readonly origin: string;
  readonly treeSize: number;
  /** RFC 6962 root hash (32 bytes) of the tree of treeSize leaves. */
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty extra lines (NOT RECOMMENDED by the spec). */
  readonly extensions: readonly string[];
}

const bad = (why: string): NoteError => new NoteError('MALFORMED_CHECKPOINT', `malformed checkpoint: ${why}`);

const TREE_SIZE = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parses a checkpoint body, strictly: every line ends in a newline and is non-empty, the size is
 * canonical decimal (riik caps it at 2^53 - 1, so it stays an exact number), the root hash is the
 * canonical base64 of 32 bytes.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string') throw bad('not text');
  if (!isWellFormed(text) || !hasOnlyNewlineControls(text)) throw bad('control characters or bad UTF-16');
  if (!text.endsWith('\n')) throw bad('must end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw bad('needs origin, tree size and root hash lines');
  if (lines.some((l) => l === '')) throw bad('empty line');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (!TREE_SIZE.test(size)) throw bad('tree size must be decimal without leading zeros');
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) throw bad('tree size beyond 2^53 - 1');
  const rootHash = decodeCanonicalBase64(root);
  if (rootHash === undefined || rootHash.byteLength !== 32) throw bad('root hash must be base64 of 32 bytes');
  return { origin, treeSize, rootHash, extensions };
}

/** The checkpoint note text. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, treeSize, rootHash, extensions = [] } = checkpoint;
  const text = `${[origin, String(treeSize), encodeStdBase64(rootHash), ...extensions].join('\n')}\n`;
  parseCheckpoint(text); // refuse to write what a reader would refuse
  return text;
}

/** A signed checkpoint note (the log's signature; cosigners may add theirs later). */
export async function signCheckpoint(
  checkpoint: Checkpoint,
  signers: readonly NoteSigner[],
): Promise<string> {
  return signNote(formatCheckpoint(checkpoint), signers);
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: Note;
}

/**
 * Opens a checkpoint signed by the log key `log`: the note must verify (openNote rules, with
 * `cosigners` known as well), carry a verified signature by `log` itself, parse as a checkpoint,
 * and name `origin` (default: the log key's name, as the spec recommends they match).
 */
export function openCheckpoint(
  message: Uint8Array | string,
  log: NoteVerifier,
  options: { origin?: string; cosigners?: readonly NoteVerifier[] } = {},
): OpenedCheckpoint {
  const note = openNote(message, [log, ...(options.cosigners ?? [])]);
  if (!note.signatures.some((s) => s.name === log.name && s.keyId === log.keyId)) {
    throw new NoteError(
      'LOG_SIGNATURE_MISSING',
      `checkpoint not signed by ${log.name}+${formatKeyId(log.keyId)}`,
    );
  }
  const checkpoint = parseCheckpoint(note.text);
  const origin = options.origin ?? log.name;
  if (checkpoint.origin !== origin) {
    throw new NoteError('ORIGIN_MISMATCH', `checkpoint origin is not ${origin}`);
  }
  return { checkpoint, note };
}
