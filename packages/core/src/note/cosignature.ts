/**
 * C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), the Ed25519 "cosignature/v1" type
 * (signature type 0x04): a witness's statement that, at `timestamp`, the checkpoint is the largest
 * consistent tree head it has seen for the log.
 *
 * A cosignature is a note signature whose bytes are timestamped_signature: a big-endian u64 POSIX
 * timestamp then a 64-byte Ed25519 signature over
 *
 *   cosignature/v1\n
 *   time <timestamp>\n
 *   <the whole checkpoint note text, final newline included>
 *
 * (ML-DSA-44 subtree cosignatures, type 0x06, are not implemented.)
 */
import type { KeyObject } from 'node:crypto';
import { NoteError } from './errors.js';
import {
  ED25519_KEY_SIZE,
  ED25519_SIGNATURE_SIZE,
  ed25519PrivateKey,
  ed25519PublicKeyOf,
  ed25519Sign,
  ed25519Verify,
} from './ed25519.js';
import { Ed25519VerifierKey, SIGNATURE_TYPE, checkKeyName, noteKeyId, withType } from './keys.js';
import type { NoteSigner } from './keys.js';
import { parseCheckpoint } from './checkpoint.js';
import { decodeStdBase64, strictUtf8, utf8 } from './text.js';

export const COSIGNATURE_V1_HEADER = 'cosignature/v1';

/** timestamped_signature for Ed25519: u64 timestamp + 64-byte signature. */
export const COSIGNATURE_V1_SIZE = 8 + ED25519_SIGNATURE_SIZE;

/**
 * Timestamps are POSIX seconds; the spec caps them at 2^63 - 1, riik at 2^53 - 1 (any later one
 * is from the far future, which verifiers MAY reject, and numbers stay exact).
 */
function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new NoteError('MALFORMED_COSIGNATURE', 'cosignature timestamp out of range');
  }
}

/** The message an Ed25519 v1 cosignature signs, for the checkpoint note text `text`. */
export function cosignedMessage(text: Uint8Array | string, timestamp: number): Uint8Array {
  checkTimestamp(timestamp);
  const body = typeof text === 'string' ? utf8.encode(text) : text;
  const header = utf8.encode(`${COSIGNATURE_V1_HEADER}\ntime ${timestamp}\n`);
  const out = new Uint8Array(header.byteLength + body.byteLength);
  out.set(header, 0);
  out.set(body, header.byteLength);
  return out;
}

export interface Cosignature {
  /** Seconds since the epoch at which the witness cosigned. */
  readonly timestamp: number;
  /** The 64-byte Ed25519 signature. */
  readonly signature: Uint8Array;
}

/**
 * Splits Ed25519 v1 cosignature bytes (the note signature after the 4-byte key ID) or a whole
 * signature line's base64 (key ID included) into timestamp and signature.
 */
export function parseCosignature(signature: Uint8Array | string): Cosignature & { keyId?: number } {
  let raw: Uint8Array;
  let keyId: number | undefined;
  if (typeof signature === 'string') {
    const decoded = decodeStdBase64(signature);
    if (decoded === undefined || decoded.byteLength !== 4 + COSIGNATURE_V1_SIZE) {
      throw new NoteError(
        'MALFORMED_COSIGNATURE',
        `a cosignature is ${4 + COSIGNATURE_V1_SIZE} bytes in base64`,
      );
    }
    keyId = new DataView(decoded.buffer).getUint32(0);
    raw = decoded.subarray(4);
  } else {
    raw = signature;
  }
  if (raw.byteLength !== COSIGNATURE_V1_SIZE) {
    throw new NoteError('MALFORMED_COSIGNATURE', `timestamped_signature is ${COSIGNATURE_V1_SIZE} bytes`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const timestamp = Number(view.getBigUint64(0));
  checkTimestamp(timestamp);
  const parsed = { timestamp, signature: raw.slice(8) };
  return keyId === undefined ? parsed : { ...parsed, keyId };
}

/** Verifies Ed25519 v1 cosignatures (type 0x04) by one witness key. */
export class Ed25519CosignatureVerifier extends Ed25519VerifierKey {
  constructor(name: string, publicKey: Uint8Array) {
    super(name, publicKey, SIGNATURE_TYPE.ed25519Cosignature);
  }

  verify(text: Uint8Array, signature: Uint8Array): boolean {
    let cosignature: Cosignature;
    try {
      cosignature = parseCosignature(signature);
    } catch {
      return false;
    }
    return ed25519Verify(this.key, cosignedMessage(text, cosignature.timestamp), cosignature.signature);
  }
}

/**
 * A witness's Ed25519 v1 cosigner. It signs checkpoint texts only (anything else is
 * MALFORMED_CHECKPOINT); whether the checkpoint is consistent with what it saw before is the
 * caller's job, done before signing.
 */
export class Ed25519CosignatureSigner implements NoteSigner {
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  private readonly key: KeyObject;

  constructor(
    readonly name: string,
    seed: Uint8Array,
    private readonly now: () => Date,
  ) {
    checkKeyName(name);
    if (seed.byteLength !== ED25519_KEY_SIZE)
      throw new NoteError('MALFORMED_KEY', 'Ed25519 seeds are 32 bytes');
    this.key = ed25519PrivateKey(seed);
    this.publicKey = ed25519PublicKeyOf(this.key);
    this.keyId = noteKeyId(name, withType(SIGNATURE_TYPE.ed25519Cosignature, this.publicKey));
  }

  verifier(): Ed25519CosignatureVerifier {
    return new Ed25519CosignatureVerifier(this.name, this.publicKey);
  }

  sign(text: Uint8Array): Uint8Array {
    parseCheckpoint(strictUtf8.decode(text));
    const timestamp = Math.floor(this.now().getTime() / 1000);
    const out = new Uint8Array(COSIGNATURE_V1_SIZE);
    new DataView(out.buffer).setBigUint64(0, BigInt(timestamp));
    out.set(ed25519Sign(this.key, cosignedMessage(text, timestamp)), 8);
    return out;
  }
}
