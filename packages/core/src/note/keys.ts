/**
 * Note keys: the verifier and signer interfaces, key IDs, and Ed25519 note keys (signature type
 * 0x01) per c2sp.org/signed-note.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { NoteError } from './errors.js';
import {
  ED25519_KEY_SIZE,
  ed25519PrivateKey,
  ed25519PublicKey,
  ed25519PublicKeyOf,
  ed25519Sign,
  ed25519Verify,
} from './ed25519.js';
import { encodeStdBase64, formatKeyId, isValidKeyName, utf8 } from './text.js';

/** Signature type identifier bytes (c2sp.org/signed-note "Signature types"). */
export const SIGNATURE_TYPE = {
  ed25519: 0x01,
  /** Timestamped Ed25519 witness cosignature, c2sp.org/tlog-cosignature. */
  ed25519Cosignature: 0x04,
} as const;

/** Checks signatures by one key. */
export interface NoteVerifier {
  readonly name: string;
  /** uint32 key ID. */
  readonly keyId: number;
  /** Whether `signature` (the signature bytes after the 4-byte key ID) is valid for the note text. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs note texts with one key. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes (without the key ID) over the note text. */
  sign(text: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/**
 * key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian; `key` is the
 * signature type byte followed by the public key, as in a vkey.
 */
export function noteKeyId(name: string, key: Uint8Array): number {
  const digest = createHash('sha256').update(utf8.encode(name)).update('\n').update(key).digest();
  return digest.readUInt32BE(0);
}

/** The vkey text: name+hex(key ID)+base64(type || public key). */
export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  const key = withType(type, publicKey);
  return `${name}+${formatKeyId(noteKeyId(name, key))}+${encodeStdBase64(key)}`;
}

/** The signer-key text: PRIVATE+KEY+name+hex(key ID)+base64(type || seed). Keep it secret. */
export function formatSignerKey(name: string, type: number, publicKey: Uint8Array, seed: Uint8Array): string {
  const id = formatKeyId(noteKeyId(name, withType(type, publicKey)));
  return `PRIVATE+KEY+${name}+${id}+${encodeStdBase64(withType(type, seed))}`;
}

export function withType(type: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + key.byteLength);
  out[0] = type;
  out.set(key, 1);
  return out;
}

export function checkKeyName(name: string): void {
  if (typeof name !== 'string' || !isValidKeyName(name)) {
    throw new NoteError('MALFORMED_KEY', 'key names must be non-empty, without spaces or "+"');
  }
}

/** An Ed25519 verifier key of one signature type: its name, key ID and vkey line. */
export abstract class Ed25519VerifierKey implements NoteVerifier {
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  protected readonly key: KeyObject | undefined;

  constructor(
    readonly name: string,
    publicKey: Uint8Array,
    private readonly type: number,
  ) {
    checkKeyName(name);
    if (publicKey.byteLength !== ED25519_KEY_SIZE)
      throw new NoteError('MALFORMED_KEY', 'Ed25519 keys are 32 bytes');
    this.publicKey = new Uint8Array(publicKey);
    this.keyId = noteKeyId(name, withType(type, publicKey));
    this.key = ed25519PublicKey(publicKey);
  }

  get vkey(): string {
    return formatVerifierKey(this.name, this.type, this.publicKey);
  }

  abstract verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** Verifies plain Ed25519 note signatures (type 0x01). */
export class Ed25519NoteVerifier extends Ed25519VerifierKey {
  constructor(name: string, publicKey: Uint8Array) {
    super(name, publicKey, SIGNATURE_TYPE.ed25519);
  }

  verify(text: Uint8Array, signature: Uint8Array): boolean {
    return ed25519Verify(this.key, text, signature);
  }
}

export class Ed25519NoteSigner implements NoteSigner {
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  private readonly key: KeyObject;

  constructor(
    readonly name: string,
    seed: Uint8Array,
  ) {
    checkKeyName(name);
    if (seed.byteLength !== ED25519_KEY_SIZE)
      throw new NoteError('MALFORMED_KEY', 'Ed25519 seeds are 32 bytes');
    this.key = ed25519PrivateKey(seed);
    this.publicKey = ed25519PublicKeyOf(this.key);
    this.keyId = noteKeyId(name, withType(SIGNATURE_TYPE.ed25519, this.publicKey));
  }

  verifier(): Ed25519NoteVerifier {
    return new Ed25519NoteVerifier(this.name, this.publicKey);
  }

  sign(text: Uint8Array): Uint8Array {
    return ed25519Sign(this.key, text);
  }
}

/**
 * Looks verifiers up by (name, key ID), as Go's VerifierList: undefined for an unknown key, and
 * AMBIGUOUS_KEY when two known keys share both.
 */
export interface NoteVerifiers {
  verifier(name: string, keyId: number): NoteVerifier | undefined;
}

export function verifierList(list: readonly NoteVerifier[]): NoteVerifiers {
  const byKey = new Map<string, NoteVerifier[]>();
  for (const v of list) {
    const k = `${v.name}+${formatKeyId(v.keyId)}`;
    byKey.set(k, [...(byKey.get(k) ?? []), v]);
  }
  return {
    verifier(name: string, keyId: number): NoteVerifier | undefined {
      const found = byKey.get(`${name}+${formatKeyId(keyId)}`);
      if (found !== undefined && found.length > 1) {
        throw new NoteError('AMBIGUOUS_KEY', `ambiguous key ${name}+${formatKeyId(keyId)}`);
      }
      return found?.[0];
    },
  };
}
