import { HASH_SIZE, leafHash } from '@riik/core';
import { KsiError } from './errors.js';

/**
 * A calendar entry: what the calendar log appends for each closed aggregation round.
 *
 *   entry = uint64_be(round time, milliseconds since 1970-01-01T00:00:00Z) || round root (32 bytes)
 *
 * The time is inside the hashed entry, so the calendar itself proves when each round closed:
 * anyone holding an inclusion proof (and a checkpoint or a publication) learns the time without
 * trusting a key, as KSI's calendar position does. The calendar's leaf hash is the RFC 6962 leaf
 * hash of these 40 bytes, and tlog-tiles entry bundles carry them verbatim.
 */
export const CALENDAR_ENTRY_SIZE = 8 + HASH_SIZE;

export function encodeCalendarEntry(timeMs: number, roundRoot: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0) throw new KsiError('BAD_ARGUMENT', 'bad round time');
  if (roundRoot.length !== HASH_SIZE) throw new KsiError('BAD_ARGUMENT', 'a round root is 32 bytes');
  const entry = new Uint8Array(CALENDAR_ENTRY_SIZE);
  new DataView(entry.buffer).setBigUint64(0, BigInt(timeMs));
  entry.set(roundRoot, 8);
  return entry;
}

export function decodeCalendarEntry(entry: Uint8Array): { timeMs: number; roundRoot: Uint8Array } {
  if (entry.length !== CALENDAR_ENTRY_SIZE)
    throw new KsiError('BAD_ARGUMENT', 'a calendar entry is 40 bytes');
  const time = new DataView(entry.buffer, entry.byteOffset, 8).getBigUint64(0);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) throw new KsiError('BAD_ARGUMENT', 'round time out of range');
  return { timeMs: Number(time), roundRoot: entry.slice(8) };
}

/** The calendar leaf hash of a round: SHA-256(0x00 || entry). */
export function calendarLeafHash(timeMs: number, roundRoot: Uint8Array): Uint8Array {
  return leafHash(encodeCalendarEntry(timeMs, roundRoot));
}
