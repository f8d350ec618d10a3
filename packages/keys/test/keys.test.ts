import { execFileSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@riik/testing';
import {
  ecdsaDerToRaw,
  ecdsaRawToDer,
  generatePrivateKey,
  SoftwareKeystore,
  SoftwareSigner,
} from '../src/index.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('software keystore', () => {
  it('stores encrypted PKCS#8 that OpenSSL can open with the passphrase', async () => {
    const ks = SoftwareKeystore.open(`${dir.path}/ks`, 'correct horse');
    const signer = ks.generate('root-ca', 'EC-P384');
    const pem = execFileSync(
      'openssl',
      ['pkey', '-in', `${dir.path}/ks/root-ca.key.pem`, '-passin', 'pass:correct horse', '-pubout'],
      {
        encoding: 'utf8',
      },
    );
    expect(createPublicKey(pem).export({ format: 'der', type: 'spki' })).toEqual(
      signer.publicKey.export({ format: 'der', type: 'spki' }),
    );
    const data = new TextEncoder().encode('hello');
    const sig = await ks.signer('root-ca').sign(data, 'SHA-384');
    expect(verify('sha384', data, signer.publicKey, sig)).toBe(true);
  });

  it('refuses overwrites, unknown names, path tricks and wrong passphrases with codes', () => {
    const ks = SoftwareKeystore.open(`${dir.path}/ks2`, 'pw');
    ks.generate('a', 'EC-P256');
    expect(() => ks.generate('a', 'EC-P256')).toThrow(expect.objectContaining({ code: 'KEY_EXISTS' }));
    expect(() => ks.signer('b')).toThrow(expect.objectContaining({ code: 'KEY_NOT_FOUND' }));
    expect(() => ks.signer('../a')).toThrow(expect.objectContaining({ code: 'KEY_NOT_FOUND' }));
    expect(() => SoftwareKeystore.open(`${dir.path}/ks2`, 'other').signer('a')).toThrow(
      expect.objectContaining({ code: 'BAD_PASSPHRASE' }),
    );
  });

  it('creates and reuses a passphrase file when none is given', () => {
    const saved = process.env.RIIK_KEYSTORE_PASSPHRASE;
    delete process.env.RIIK_KEYSTORE_PASSPHRASE;
    try {
      SoftwareKeystore.open(`${dir.path}/ks3`).generate('k', 'Ed25519');
      expect(SoftwareKeystore.open(`${dir.path}/ks3`).signer('k').keyAlgorithm).toBe('Ed25519');
    } finally {
      if (saved !== undefined) process.env.RIIK_KEYSTORE_PASSPHRASE = saved;
    }
  });
});

describe('ECDSA encodings', () => {
  it('round-trips DER ↔ raw for many signatures (including short r/s)', () => {
    const signer = new SoftwareSigner(generatePrivateKey('EC-P384'));
    for (let i = 0; i < 300; i++) {
      const der = signer.signSync(new Uint8Array([i & 255, i >> 8]), 'SHA-384');
      const raw = ecdsaDerToRaw(der, 48);
      expect(raw.length).toBe(96);
      expect(ecdsaRawToDer(raw)).toEqual(der);
    }
  });
  it('rejects malformed DER', () => {
    for (const bad of [
      [],
      [0x30],
      [0x30, 0x03, 0x02, 0x01],
      [0x31, 0x06, 2, 1, 1, 2, 1, 1],
      [0x30, 0x06, 2, 1, 0x80, 2, 1, 1],
      [0x30, 0x07, 2, 2, 0, 1, 2, 1, 1],
    ]) {
      expect(() => ecdsaDerToRaw(new Uint8Array(bad), 48)).toThrow(
        expect.objectContaining({ code: 'BAD_SIGNATURE_ENCODING' }),
      );
    }
    expect(() => ecdsaRawToDer(new Uint8Array(3))).toThrow();
  });
});
