import { HASH_SIZE, MAX_PROOF_LENGTH, parseCheckpoint, parseNote, type Checkpoint } from '@riik/core';
import { MAX_AGGREGATION_LEVEL, MAX_SUBMITTED_HASH } from '@riik/core';
import { KsiError } from './errors.js';

/**
 * A riik signature ("KSI signature"): everything needed to show, offline, that a hash was
 * aggregated into a round whose root the calendar log holds. Text, in the spirit of C2SP:
 *
 *   riik/ksi-signature@v1
 *   hash <base64 submitted hash>
 *   aggregation <level> <leaf index> <tree size>      one line per aggregation step, first the
 *   <base64 path hash>                                lowest; each followed by its RFC 9162
 *   ...                                               inclusion proof, one hash per line
 *   round <round time, ms since the epoch> <base64 round root>
 *   publication <publication code>                    only once extended: the publication and
 *   <base64 consistency proof hash>                   the consistency proof from the
 *   ...                                               checkpoint's size to the publication's
 *   <empty line>
 *   c2sp.org/tlog-proof@v1                            a C2SP tlog-proof of the calendar entry
 *   index <calendar index>                            (encodeCalendarEntry(time, round root))
 *   <base64 calendar path hash>
 *   ...
 *   <empty line>
 *   <signed checkpoint note, verbatim>
 *
 * docs/timestamping.md describes how to check one by hand.
 */
export interface AggregationStep {
  /** Level of this step's input hash (0 for a document hash). */
  level: number;
  /** Leaf index of the input in this step's tree, and the tree's size. */
  index: number;
  size: number;
  /** RFC 9162 inclusion proof of the input's leaf. */
  path: Uint8Array[];
}

export interface KsiSignature {
  /** The submitted hash (a document digest at level 0, or a lower aggregator's root). */
  hash: Uint8Array;
  /** Aggregation steps, lowest first; the last is the service's round tree. */
  aggregation: AggregationStep[];
  /** When the round closed (ms since the epoch) and its root: the calendar entry. */
  roundTime: number;
  roundRoot: Uint8Array;
  /** The entry's index in the calendar and its inclusion proof in the checkpoint's tree. */
  calendarIndex: number;
  calendarPath: Uint8Array[];
  /** Opaque `extra` of the tlog-proof, kept when read (riik writes none). */
  extra?: Uint8Array;
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
  /** Set once extended to a publication. */
  publication?: { code: string; consistency: Uint8Array[] };
}

export const SIGNATURE_HEADER = 'riik/ksi-signature@v1';
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** Most aggregation steps a signature may have (a few levels of aggregators in practice). */
export const MAX_AGGREGATION_STEPS = 16;
export const MAX_SIGNATURE_SIZE = 64 * 1024;

const b64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

export function formatSignature(sig: KsiSignature): string {
  const lines = [SIGNATURE_HEADER, `hash ${b64(sig.hash)}`];
  for (const step of sig.aggregation) {
    lines.push(`aggregation ${step.level} ${step.index} ${step.size}`, ...step.path.map(b64));
  }
  lines.push(`round ${sig.roundTime} ${b64(sig.roundRoot)}`);
  if (sig.publication)
    lines.push(`publication ${sig.publication.code}`, ...sig.publication.consistency.map(b64));
  lines.push('', TLOG_PROOF_HEADER);
  if (sig.extra) lines.push(`extra ${b64(sig.extra)}`);
  lines.push(`index ${sig.calendarIndex}`, ...sig.calendarPath.map(b64), '');
  return lines.join('\n') + '\n' + sig.checkpoint;
}

const malformed = (why: string) => new KsiError('MALFORMED_SIGNATURE', `malformed riik signature: ${why}`);

function decodeBase64(text: string, what: string, minLength = 1, maxLength = HASH_SIZE): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text || bytes.length < minLength || bytes.length > maxLength)
    throw malformed(
      `${what} is not canonical base64 of ${minLength === maxLength ? minLength : `${minLength}-${maxLength}`} bytes`,
    );
  return new Uint8Array(bytes);
}

function decimal(text: string | undefined, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(text))
    throw malformed(`${what} is not a decimal number`);
  const n = Number(text);
  if (n > max) throw malformed(`${what} is out of range`);
  return n;
}

const HASH_LINE = /^[A-Za-z0-9+/]{43}=$/;

/** Parse a riik signature strictly; throws KsiError MALFORMED_SIGNATURE. */
export function parseSignature(input: string | Uint8Array): KsiSignature {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (text.length > MAX_SIGNATURE_SIZE) throw malformed('too large');
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw malformed('no blank line before the calendar proof');
  const head = text.slice(0, blank).split('\n');
  let i = 0;
  const next = () => head[i++];
  if (next() !== SIGNATURE_HEADER) throw malformed(`first line must be ${SIGNATURE_HEADER}`);
  const hashLine = next()?.split(' ');
  if (hashLine?.[0] !== 'hash' || hashLine.length !== 2) throw malformed('expected "hash <base64>"');
  const hash = decodeBase64(hashLine[1]!, 'hash', 1, MAX_SUBMITTED_HASH);
  const hashes = (what: string): Uint8Array[] => {
    const out: Uint8Array[] = [];
    while (i < head.length && HASH_LINE.test(head[i]!)) {
      out.push(decodeBase64(head[i++]!, what, HASH_SIZE, HASH_SIZE));
      if (out.length > MAX_PROOF_LENGTH) throw malformed(`${what} is too long`);
    }
    return out;
  };
  const aggregation: AggregationStep[] = [];
  while (head[i]?.startsWith('aggregation ')) {
    const f = next()!.split(' ');
    if (f.length !== 4) throw malformed('expected "aggregation <level> <index> <size>"');
    const step = {
      level: decimal(f[1], 'level', MAX_AGGREGATION_LEVEL),
      index: decimal(f[2], 'leaf index'),
      size: decimal(f[3], 'tree size'),
    };
    aggregation.push({ ...step, path: hashes('aggregation path') });
    if (aggregation.length > MAX_AGGREGATION_STEPS) throw malformed('too many aggregation steps');
  }
  if (aggregation.length === 0) throw malformed('no aggregation step');
  const round = next()?.split(' ');
  if (round?.[0] !== 'round' || round.length !== 3) throw malformed('expected "round <time> <base64 root>"');
  const roundTime = decimal(round[1], 'round time');
  const roundRoot = decodeBase64(round[2]!, 'round root', HASH_SIZE, HASH_SIZE);
  let publication: KsiSignature['publication'];
  if (head[i]?.startsWith('publication ')) {
    const f = next()!.split(' ');
    if (f.length !== 2 || !/^[A-Z2-7-]{1,200}$/.test(f[1]!)) throw malformed('bad publication line');
    publication = { code: f[1]!, consistency: hashes('consistency proof') };
  }
  if (i !== head.length) throw malformed(`unexpected line ${JSON.stringify(head[i]!.slice(0, 40))}`);

  // The calendar part: a C2SP tlog-proof.
  const proofText = text.slice(blank + 2);
  const end = proofText.indexOf('\n\n');
  if (end < 0) throw malformed('tlog-proof without a checkpoint');
  const proof = proofText.slice(0, end).split('\n');
  const checkpoint = proofText.slice(end + 2);
  i = 0;
  if (proof[i++] !== TLOG_PROOF_HEADER) throw malformed(`expected ${TLOG_PROOF_HEADER}`);
  let extra: Uint8Array | undefined;
  if (proof[i]?.startsWith('extra ')) extra = decodeBase64(proof[i++]!.slice(6), 'extra', 0, 4096);
  const index = proof[i++]?.split(' ');
  if (index?.[0] !== 'index' || index.length !== 2) throw malformed('expected "index <n>"');
  const calendarIndex = decimal(index[1], 'calendar index');
  const calendarPath: Uint8Array[] = [];
  for (; i < proof.length; i++) {
    if (!HASH_LINE.test(proof[i]!)) throw malformed('bad calendar proof line');
    calendarPath.push(decodeBase64(proof[i]!, 'calendar path', HASH_SIZE, HASH_SIZE));
    if (calendarPath.length > MAX_PROOF_LENGTH) throw malformed('calendar proof is too long');
  }
  try {
    parseCheckpoint(parseNote(checkpoint).text);
  } catch (err) {
    throw new KsiError(
      'MALFORMED_SIGNATURE',
      `malformed riik signature: bad checkpoint: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  return {
    hash,
    aggregation,
    roundTime,
    roundRoot,
    calendarIndex,
    calendarPath,
    ...(extra ? { extra } : {}),
    checkpoint,
    ...(publication ? { publication } : {}),
  };
}

/** The checkpoint a signature carries, parsed (not verified). */
export function signatureCheckpoint(sig: KsiSignature): Checkpoint {
  return parseCheckpoint(parseNote(sig.checkpoint).text);
}
