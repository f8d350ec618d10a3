/**
 * Key texts: vkeys ("name+hexid+base64(type||public key)") and signer keys
 * ("PRIVATE+KEY+name+hexid+base64(type||private key)"), parsed as Go's NewVerifier / NewSigner do
 * (split at the first "+" each time, 8 hex digits, standard base64, key ID recomputed and
 * compared). Types: 0x01 Ed25519 note keys and 0x04 Ed25519 v1 cosigner keys.
 */
import { randomBytes } from 'node:crypto';
import { Ed25519CosignatureSigner, Ed25519CosignatureVerifier } from './cosignature.js';
import { ED25519_KEY_SIZE, ed25519PrivateKey, ed25519PublicKeyOf } from './ed25519.js';
import { NoteError } from './errors.js';
import {
  Ed25519NoteSigner,
  Ed25519NoteVerifier,
  SIGNATURE_TYPE,
  formatSignerKey,
  formatVerifierKey,
  noteKeyId,
  withType,
  type NoteSigner,
  type NoteVerifier,
} from './keys.js';
import { decodeStdBase64, formatKeyId, isValidKeyName } from './text.js';

function chop(s: string): [string, string] {
  const i = s.indexOf('+');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

const HEX_ID = /^[0-9a-fA-F]{8}$/;

function parseKeyParts(
  what: string,
  name: string,
  rest: string,
): { keyId: number; type: number; key: Uint8Array } {
  const [hex, b64] = chop(rest);
  const raw = decodeStdBase64(b64);
  if (!HEX_ID.test(hex) || raw === undefined || raw.byteLength === 0 || !isValidKeyName(name)) {
    throw new NoteError('MALFORMED_KEY', `malformed ${what}`);
  }
  return { keyId: parseInt(hex, 16) >>> 0, type: raw[0]!, key: raw.subarray(1) };
}

/** A verifier from a vkey. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  if (typeof vkey !== 'string') throw new NoteError('MALFORMED_KEY', 'malformed verifier key');
  const [name, rest] = chop(vkey);
  const { keyId, type, key } = parseKeyParts('verifier key', name, rest);
  if (keyId !== noteKeyId(name, withType(type, key))) {
    throw new NoteError('KEY_ID_MISMATCH', `key ID ${formatKeyId(keyId)} does not match the key`);
  }
  if (
    key.byteLength !== ED25519_KEY_SIZE &&
    (type === SIGNATURE_TYPE.ed25519 || type === SIGNATURE_TYPE.ed25519Cosignature)
  ) {
    throw new NoteError('MALFORMED_KEY', 'Ed25519 public keys are 32 bytes');
  }
  if (type === SIGNATURE_TYPE.ed25519) return new Ed25519NoteVerifier(name, key);
  if (type === SIGNATURE_TYPE.ed25519Cosignature) return new Ed25519CosignatureVerifier(name, key);
  throw new NoteError(
    'UNKNOWN_KEY_TYPE',
    `unknown verifier key type 0x${type.toString(16).padStart(2, '0')}`,
  );
}

/**
 * A signer from a signer key. Cosigner keys (type 0x04) need the clock their timestamps come
 * from; plain note keys ignore it.
 */
export function parseSignerKey(skey: string, options: { now?: () => Date } = {}): NoteSigner {
  if (typeof skey !== 'string') throw new NoteError('MALFORMED_KEY', 'malformed signer key');
  const [private1, afterPrivate] = chop(skey);
  const [private2, afterKey] = chop(afterPrivate);
  const [name, rest] = chop(afterKey);
  if (private1 !== 'PRIVATE' || private2 !== 'KEY')
    throw new NoteError('MALFORMED_KEY', 'malformed signer key');
  const { keyId, type, key } = parseKeyParts('signer key', name, rest);
  if (type !== SIGNATURE_TYPE.ed25519 && type !== SIGNATURE_TYPE.ed25519Cosignature) {
    throw new NoteError(
      'UNKNOWN_KEY_TYPE',
      `unknown signer key type 0x${type.toString(16).padStart(2, '0')}`,
    );
  }
  if (key.byteLength !== ED25519_KEY_SIZE)
    throw new NoteError('MALFORMED_KEY', 'Ed25519 private keys are 32 bytes');
  // The ID names the public key: derive it, then compare.
  const publicKey = ed25519PublicKeyOf(ed25519PrivateKey(key));
  if (keyId !== noteKeyId(name, withType(type, publicKey))) {
    throw new NoteError('KEY_ID_MISMATCH', `key ID ${formatKeyId(keyId)} does not match the key`);
  }
  if (type === SIGNATURE_TYPE.ed25519) return new Ed25519NoteSigner(name, key);
  if (options.now === undefined)
    throw new NoteError('BAD_ARGUMENT', 'a cosigner key needs a clock (options.now)');
  return new Ed25519CosignatureSigner(name, key, options.now);
}

/**
 * A new Ed25519 key pair as texts. `type` 0x01 (default) for a log or note signer, 0x04 for a
 * witness cosigner; `random` supplies the 32-byte seed (inject it in tests).
 */
export function generateNoteKey(
  name: string,
  options: { type?: 0x01 | 0x04; random?: (size: number) => Uint8Array } = {},
): { skey: string; vkey: string } {
  if (!isValidKeyName(name))
    throw new NoteError('MALFORMED_KEY', 'key names must be non-empty, without spaces or "+"');
  const type = options.type ?? SIGNATURE_TYPE.ed25519;
  const seed = (options.random ?? randomBytes)(ED25519_KEY_SIZE);
  if (seed.byteLength !== ED25519_KEY_SIZE)
    throw new NoteError('BAD_ARGUMENT', 'random must return 32 bytes');
  const publicKey = ed25519PublicKeyOf(ed25519PrivateKey(seed));
  return {
    skey: formatSignerKey(name, type, publicKey, seed),
    vkey: formatVerifierKey(name, type, publicKey),
  };
}
