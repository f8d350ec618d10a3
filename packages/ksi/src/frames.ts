import { HASH_SIZE, MAX_AGGREGATION_LEVEL, MAX_PROOF_LENGTH, MAX_SUBMITTED_HASH } from '@riik/core';
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
 *                     u32 k || k × (u32 record number || u32 leaf index || u8 p || p × 32 path)
 *   type 0, the end:  u32 records accepted || u32 e || e bytes of an error message (0: none)
 *
 * Record numbers count the request's records from 0; with them the client pairs each proof with
 * what it sent and builds one self-contained signature per hash (signatureFromFrame).
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

/** One round frame for the given proofs. */
export function encodeRoundFrame(header: RoundHeader, proofs: readonly RecordProof[]): Uint8Array {
  const checkpoint = Buffer.from(header.checkpoint, 'utf8');
  let size =
    4 + 1 + 8 + 8 + 4 + HASH_SIZE + 1 + HASH_SIZE * header.calendarPath.length + 4 + checkpoint.length + 4;
  for (const p of proofs) size += 9 + HASH_SIZE * p.path.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setUint32(at, size - 4);
  out[(at += 4)] = FRAME_ROUND;
  at += 1;
  u64(view, at, header.calendarIndex);
  u64(view, at + 8, header.roundTime);
  view.setUint32(at + 16, header.roundSize);
  out.set(header.roundRoot, at + 20);
  at += 20 + HASH_SIZE;
  out[at++] = header.calendarPath.length;
  for (const h of header.calendarPath) {
    out.set(h, at);
    at += HASH_SIZE;
  }
  view.setUint32(at, checkpoint.length);
  out.set(checkpoint, at + 4);
  at += 4 + checkpoint.length;
  view.setUint32(at, proofs.length);
  at += 4;
  for (const p of proofs) {
    view.setUint32(at, p.record);
    view.setUint32(at + 4, p.leafIndex);
    out[at + 8] = p.path.length;
    at += 9;
    for (const h of p.path) {
      out.set(h, at);
      at += HASH_SIZE;
    }
  }
  return out;
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
      for (let k = 0; k < count; k++) {
        const record = u32();
        const leafIndex = u32();
        proofs.push({ record, leafIndex, path: hashes(u8()) });
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
