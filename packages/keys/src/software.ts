import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { KeyError } from './errors.js';
import { nodeHashName, type HashAlgorithm, type KeyAlgorithm, type Signer } from './signer.js';

/** Which riik key algorithm a node:crypto private or public key is. */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return 'EC-P384';
    if (curve === 'prime256v1') return 'EC-P256';
  }
  throw new KeyError('UNSUPPORTED_KEY', `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

/** A Signer over a private key held in this process's memory (from the software keystore). */
export class SoftwareSigner implements Signer {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly publicKey: KeyObject;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.type !== 'private') throw new KeyError('UNSUPPORTED_KEY', 'a private key is required');
    this.keyAlgorithm = keyAlgorithmOf(privateKey);
    this.publicKey = createPublicKey(privateKey);
  }

  async sign(data: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> {
    return this.signSync(data, hash);
  }

  /** Synchronous form for hot paths that own the key in-process (the OCSP responder). */
  signSync(data: Uint8Array, hash: HashAlgorithm): Uint8Array {
    const algorithm = this.keyAlgorithm === 'Ed25519' ? null : nodeHashName(hash);
    return new Uint8Array(sign(algorithm, data, { key: this.privateKey, dsaEncoding: 'der' }));
  }
}

/** Generate a fresh key pair of the given algorithm. */
export function generatePrivateKey(algorithm: KeyAlgorithm): KeyObject {
  switch (algorithm) {
    case 'EC-P384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    case 'EC-P256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'Ed25519':
      return generateKeyPairSync('ed25519').privateKey;
  }
}
