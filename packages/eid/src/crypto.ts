import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';

/**
 * A secret sealed with AES-256-GCM under a key. Keys at rest are PKCS#8 DER sealed under a
 * random data key (DEK); the DEK is sealed twice, under a key derived from the PIN and under one
 * derived from the PUK, so the PUK can set a new PIN without the old one.
 */
export interface Sealed {
  iv: string;
  ct: string;
  tag: string;
}

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** Open a sealed value; undefined when the key is wrong (the GCM tag does not verify). */
export function open(key: Uint8Array, sealed: Sealed, aad: string): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
  } catch {
    return undefined;
  }
}

export interface KdfParams {
  name: 'scrypt';
  /** CPU/memory cost: memory is 128 × N × r bytes (N = 2^15, r = 8 → 32 MiB). */
  N: number;
  r: number;
  p: number;
}

/**
 * scrypt (RFC 7914), memory-hard: a 4-digit PIN has only 10^4 values, so each guess must cost
 * real memory and time for an attacker holding a copy of the token file (see docs/security.md).
 */
export const DEFAULT_KDF: KdfParams = { name: 'scrypt', N: 2 ** 15, r: 8, p: 1 };

export function deriveKey(secret: string, salt: Uint8Array, params: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      secret,
      salt,
      32,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}
