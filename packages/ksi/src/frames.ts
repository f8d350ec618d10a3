import {
  HASH_SIZE,
  MAX_AGGREGATION_LEVEL,
  MAX_PROOF_LENGTH,
  MAX_SUBMITTED_HASH,
  type MerkleTree,
} from '@riik/core';
import { KsiError } from './errors.js';
import type { KsiSignature } from './signature.js';

/**
 * The binary batch protocol of the aggregator (POST /ksi/v1/aggregate), for clients that submit
 * many hashes: the request body is a stream of records, the response a stream of frames, one per
 * aggregation round the request's records landed in, then an end frame. A client may keep
 * sending records for as long as it likes; the server answers each round as it closes.
 *
 * Record:  u8 hash length (1..128) || u8 level || hash            (the last 1+n bytes are the
 *                                                                  round-tree leaf data)
 * Frame:   u32 length of what follows || u8 type || body           (integers big-endian)
 *   type 1, a round:  u64 calendar index || u64 round time (ms) || u32 round size ||
 *                     round root (32) || u8 n || n × 32 calendar path ||
 *                     u32 m || m bytes of the signed checkpoint note ||
 *                     u32 k || k × (u32 record number || u32 leaf index || u8 p || u8 s ||
 *                               (p − s) × 32 path)
 *   type 0, the end:  u32 records accepted || u32 e || e bytes of an error message (0: none)
 *
 * Record numbers count the request's records from 0; with them the client pairs each proof with
 * what it sent and builds one self-contained signature per hash (signatureFromFrame). A proof
 * path has p hashes (RFC 9162 order, leaf's sibling first); the last s of them are the last s of
 * the previous proof's path in the same frame and are not repeated. Neighbouring leaves share
 * most of their path, so a batch costs ~2 hashes per record on the wire instead of log2(round).
 */
export interface Submission {
  hash: Uint8Array;
  level: number;
}

export interface RoundHeader {
  calendarIndex: number;
  roundTime: number;
  roundSize: number;
  roundRoot: Uint8Array;
  calendarPath: readonly Uint8Array[];
  checkpoint: string;
}

export interface RecordProof {
  record: number;
  leafIndex: number;
  path: readonly Uint8Array[];
}

export type Frame =
  | ({ type: 'round'; proofs: RecordProof[] } & RoundHeader)
  | { type: 'end'; accepted: number; error?: string };

export const FRAME_ROUND = 1;
export const FRAME_END = 0;
/** Largest frame a reader accepts (a round of 100k proofs is ~50 MB; clients should batch less). */
export const MAX_FRAME = 256 * 1024 * 1024;

export function encodeSubmissions(list: readonly Submission[]): Uint8Array {
  const out = new Uint8Array(list.reduce((n, s) => n + 2 + s.hash.length, 0));
  let p = 0;
  for (const s of list) {
    checkSubmission(s.hash, s.level);
    out[p++] = s.hash.length;
    out[p++] = s.level;
    out.set(s.hash, p);
    p += s.hash.length;
  }
  return out;
}

function checkSubmission(hash: Uint8Array, level: number): void {
  if (hash.length < 1 || hash.length > MAX_SUBMITTED_HASH)
    throw new KsiError('BAD_ARGUMENT', 'hashes are 1-128 bytes');
  if (!Number.isInteger(level) || level < 0 || level > MAX_AGGREGATION_LEVEL)
    throw new KsiError('BAD_ARGUMENT', 'levels are 0-255');
}

/**
 * Splits a byte stream of records. `push` calls `onRecord` with each complete record's leaf data
 * (level byte || hash) as a view that is only valid during the call: the aggregator hashes it
 * straight into its tree, without an object per record.
 */
export class SubmissionReader {
  private carry = new Uint8Array(0);

  constructor(
    private readonly maxLevel = MAX_AGGREGATION_LEVEL,
    private readonly allowedLengths?: ReadonlySet<number>,
  ) {}

  /** Bytes of an unfinished record held back. */
  get pending(): number {
    return this.carry.length;
  }

  /** Returns the number of records read; throws MALFORMED_FRAME at the first bad one. */
  push(chunk: Uint8Array, onRecord: (leafData: Uint8Array) => void): number {
    let buf = chunk;
    if (this.carry.length > 0) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry);
      buf.set(chunk, this.carry.length);
    }
    let p = 0;
    let n = 0;
    while (p + 2 <= buf.length) {
      const length = buf[p]!;
      const level = buf[p + 1]!;
      if (
        length === 0 ||
        length > MAX_SUBMITTED_HASH ||
        (this.allowedLengths && !this.allowedLengths.has(length))
      )
        throw new KsiError('MALFORMED_FRAME', `record ${n}: hash length ${length} is not accepted`);
      if (level > this.maxLevel)
        throw new KsiError('MALFORMED_FRAME', `record ${n}: level ${level} is above ${this.maxLevel}`);
      if (p + 2 + length > buf.length) break;
      onRecord(buf.subarray(p + 1, p + 2 + length));
      p += 2 + length;
      n++;
    }
    this.carry = buf.slice(p);
    return n;
  }
}

const u64 = (view: DataView, at: number, v: number) => view.setBigUint64(at, BigInt(v));

/** How many trailing hashes `path` shares with `previous` (compared byte for byte). */
function sharedSuffix(path: readonly Uint8Array[], previous: readonly Uint8Array[]): number {
  let n = 0;
  while (n < path.length && n < previous.length) {
    const a = path[path.length - 1 - n]!;
    const b = previous[previous.length - 1 - n]!;
    if (a.length !== b.length || !a.every((x, i) => x === b[i])) break;
    n++;
  }
  return n;
}

function writeHeader(out: Uint8Array, header: RoundHeader, checkpoint: Uint8Array, records: number): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[4] = FRAME_ROUND;
  u64(view, 5, header.calendarIndex);
  u64(view, 13, header.roundTime);
  view.setUint32(21, header.roundSize);
  out.set(header.roundRoot, 25);
  let at = 25 + HASH_SIZE;
  out[at++] = header.calendarPath.length;
  for (const h of header.calendarPath) {
    out.set(h, at);
    at += HASH_SIZE;
  }
  view.setUint32(at, checkpoint.length);
  out.set(checkpoint, at + 4);
  at += 4 + checkpoint.length;
  view.setUint32(at, records);
  return at + 4;
}

const headerSize = (header: RoundHeader, checkpoint: Uint8Array) =>
  4 + 1 + 8 + 8 + 4 + HASH_SIZE + 1 + HASH_SIZE * header.calendarPath.length + 4 + checkpoint.length + 4;

/** One round frame for the given proofs. */
export function encodeRoundFrame(header: RoundHeader, proofs: readonly RecordProof[]): Uint8Array {
  const checkpoint = Buffer.from(header.checkpoint, 'utf8');
  const out = new Uint8Array(
    headerSize(header, checkpoint) + proofs.reduce((n, p) => n + 10 + HASH_SIZE * p.path.length, 0),
  );
  const view = new DataView(out.buffer);
  let at = writeHeader(out, header, checkpoint, proofs.length);
  let previous: readonly Uint8Array[] = [];
  for (const p of proofs) {
    const shared = sharedSuffix(p.path, previous);
    view.setUint32(at, p.record);
    view.setUint32(at + 4, p.leafIndex);
    out[at + 8] = p.path.length;
    out[at + 9] = shared;
    at += 10;
    for (const h of p.path.slice(0, p.path.length - shared)) {
      out.set(h, at);
      at += HASH_SIZE;
    }
    previous = p.path;
  }
  view.setUint32(0, at - 4);
  return out.subarray(0, at);
}

/** Consecutive records that got consecutive leaves of one round. */
export interface RecordRun {
  record: number;
  leaf: number;
  count: number;
}

/**
 * A round frame for runs of records, with each proof written straight from the round tree into
 * the frame (MerkleTree.writeInclusionProof): the aggregator's hot path, where building a proof
 * object per hash would cost more than the hashing.
 */
export function encodeTreeRoundFrame(
  header: RoundHeader,
  tree: MerkleTree,
  runs: readonly RecordRun[],
): Uint8Array {
  const checkpoint = Buffer.from(header.checkpoint, 'utf8');
  const records = runs.reduce((n, r) => n + r.count, 0);
  // A contiguous run of k leaves has at most 2k + 2·height distinct path entries (k siblings at
  // level 0, k/2 at level 1, …, plus the edges); sized for that, not for k full paths, and
  // without zero-filling (only the written prefix is returned).
  const bound =
    headerSize(header, checkpoint) +
    runs.reduce((n, r) => n + r.count * 10 + HASH_SIZE * (2 * r.count + 2 * tree.height), 0);
  const out = Buffer.allocUnsafe(bound);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const scratch = new Uint8Array(HASH_SIZE * Math.max(1, tree.height));
  const n = tree.size;
  let at = writeHeader(out, header, checkpoint, records);
  let previous = -1;
  for (const run of runs) {
    for (let j = run.leaf; j < run.leaf + run.count; j++) {
      const p = tree.writeInclusionProof(j, scratch, 0);
      // The path entries below the level where j and the previous leaf meet are new; from that
      // level up both have the same ancestors, hence the same siblings (round sizes < 2^30).
      const meet = previous < 0 ? Infinity : 32 - Math.clz32(j ^ previous);
      let fresh = 0;
      for (let l = 0, width = n, k = j; width > 1 && l < meet; l++, width = (width + 1) >>> 1, k >>>= 1) {
        if ((k ^ 1) < width) fresh++;
      }
      if (at + 10 + fresh * HASH_SIZE > bound)
        throw new KsiError('BAD_ARGUMENT', 'frame size bound exceeded');
      view.setUint32(at, run.record + (j - run.leaf));
      view.setUint32(at + 4, j);
      out[at + 8] = p;
      out[at + 9] = p - fresh;
      out.set(scratch.subarray(0, fresh * HASH_SIZE), at + 10);
      at += 10 + fresh * HASH_SIZE;
      previous = j;
    }
  }
  view.setUint32(0, at - 4);
  return new Uint8Array(out.buffer, out.byteOffset, at);
}

export function encodeEndFrame(accepted: number, error?: string): Uint8Array {
  const message = Buffer.from(error ?? '', 'utf8');
  const out = new Uint8Array(4 + 1 + 4 + 4 + message.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length - 4);
  out[4] = FRAME_END;
  view.setUint32(5, accepted);
  view.setUint32(9, message.length);
  out.set(message, 13);
  return out;
}

const bad = (why: string) => new KsiError('MALFORMED_FRAME', `aggregator response: ${why}`);

/** Reads frames from a byte stream; hostile input gives MALFORMED_FRAME, never more. */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private ended = false;

  push(chunk: Uint8Array): Frame[] {
    if (this.ended && chunk.length > 0) throw bad('data after the end frame');
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
      if (length < 1 || length > MAX_FRAME) throw bad(`frame length ${length}`);
      if (this.buffered < 4 + length) break;
      const frame = decodeFrame(this.take(4 + length).subarray(4));
      frames.push(frame);
      if (frame.type === 'end') this.ended = true;
    }
    return frames;
  }

  /** Whether the end frame has been read (a response without one was cut short). */
  get complete(): boolean {
    return this.ended && this.buffered === 0;
  }

  private peek(n: number): Uint8Array {
    return this.chunks[0]!.length >= n
      ? this.chunks[0]!.subarray(0, n)
      : Buffer.concat(this.chunks).subarray(0, n);
  }

  private take(n: number): Uint8Array {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return all.subarray(0, n);
  }
}

function decodeFrame(bytes: Uint8Array): Frame {
  // A plain view, so slices are copies (not Buffer views pinning the whole read buffer).
  const body = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 1;
  const need = (n: number) => {
    if (at + n > body.length) throw bad('truncated frame');
  };
  const u32 = () => (need(4), (at += 4), view.getUint32(at - 4));
  const u8 = () => (need(1), body[at++]!);
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(at);
    at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('number out of range');
    return Number(v);
  };
  const hashes = (n: number) => {
    if (n > MAX_PROOF_LENGTH) throw bad('path too long');
    need(n * HASH_SIZE);
    const out: Uint8Array[] = [];
    for (let k = 0; k < n; k++) out.push(body.slice(at + k * HASH_SIZE, at + (k + 1) * HASH_SIZE));
    at += n * HASH_SIZE;
    return out;
  };
  const text = (n: number) => {
    need(n);
    at += n;
    return new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(at - n, at));
  };
  let frame: Frame;
  try {
    if (body[0] === FRAME_END) {
      const accepted = u32();
      const error = text(u32());
      frame = { type: 'end', accepted, ...(error ? { error } : {}) };
    } else if (body[0] === FRAME_ROUND) {
      const calendarIndex = u64();
      const roundTime = u64();
      const roundSize = u32();
      const [roundRoot] = hashes(1);
      const calendarPath = hashes(u8());
      const checkpoint = text(u32());
      const count = u32();
      if (count > roundSize) throw bad('more proofs than leaves');
      const proofs: RecordProof[] = [];
      let previous: readonly Uint8Array[] = [];
      for (let k = 0; k < count; k++) {
        const record = u32();
        const leafIndex = u32();
        const length = u8();
        const shared = u8();
        if (shared > length || shared > previous.length) throw bad('a proof reuses more than it can');
        const path = [...hashes(length - shared), ...previous.slice(previous.length - shared)];
        proofs.push({ record, leafIndex, path });
        previous = path;
      }
      frame = {
        type: 'round',
        calendarIndex,
        roundTime,
        roundSize,
        roundRoot: roundRoot!,
        calendarPath,
        checkpoint,
        proofs,
      };
    } else throw bad(`unknown frame type ${body[0]}`);
  } catch (err) {
    if (err instanceof KsiError) throw err;
    throw bad((err as Error).message); // a TextDecoder error on non-UTF-8 text
  }
  if (at !== body.length) throw bad('trailing bytes in a frame');
  return frame;
}

/** The self-contained signature of one submission from its round frame and proof. */
export function signatureFromFrame(
  submission: Submission,
  round: RoundHeader,
  proof: RecordProof,
  lowerSteps: KsiSignature['aggregation'] = [],
  originalHash?: Uint8Array,
): KsiSignature {
  return {
    hash: originalHash ?? submission.hash,
    aggregation: [
      ...lowerSteps,
      { level: submission.level, index: proof.leafIndex, size: round.roundSize, path: [...proof.path] },
    ],
    roundTime: round.roundTime,
    roundRoot: round.roundRoot,
    calendarIndex: round.calendarIndex,
    calendarPath: [...round.calendarPath],
    checkpoint: round.checkpoint,
  };
}
