import { noteKeyId, SIGNATURE_TYPE, formatVerifierKey, type NoteSigner } from '@riik/core';
import type { Signer } from '@riik/keys';
import { KsiError } from './errors.js';

/** The 32 raw public-key bytes of an Ed25519 Signer (the end of its SubjectPublicKeyInfo). */
function rawEd25519(signer: Signer): Uint8Array {
  if (signer.keyAlgorithm !== 'Ed25519')
    throw new KsiError('BAD_ARGUMENT', 'checkpoints are signed with Ed25519');
  const spki = signer.publicKey.export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(spki.length - 32));
}

/**
 * A signed-note signer (type 0x01, Ed25519) over a riik Signer, so the calendar key lives in the
 * keystore (or an HSM) like every other service key instead of as a raw seed.
 */
export function noteSignerOf(name: string, signer: Signer): NoteSigner & { vkey: string } {
  const publicKey = rawEd25519(signer);
  return {
    name,
    keyId: noteKeyId(name, Uint8Array.of(SIGNATURE_TYPE.ed25519, ...publicKey)),
    vkey: formatVerifierKey(name, SIGNATURE_TYPE.ed25519, publicKey),
    sign: (text) => signer.sign(text, 'SHA-512'),
  };
}
