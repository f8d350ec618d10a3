import { constants, ECDH, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyFromSpki, publicKeyFromSpkiQuick, spkiOf, verifySignature } from '../src/algorithms.js';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { encodeOid, encodeSequence, encodeTlv, OID } from '../src/index.js';

const spkiHex = (spki: Uint8Array) => Buffer.from(spki).toString('hex');

describe('publicKeyFromSpkiQuick', () => {
  it('loads EC keys on every named curve as the decoder does, and they verify', async () => {
    for (const [namedCurve, hash, oid] of [
      ['P-256', 'sha256', OID.ecdsaWithSHA256],
      ['P-384', 'sha384', OID.ecdsaWithSHA384],
      ['P-521', 'sha512', OID.ecdsaWithSHA512],
    ] as const) {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve });
      const spki = spkiOf(publicKey);
      const quick = await publicKeyFromSpkiQuick(spki);
      expect(quick.asymmetricKeyType).toBe('ec');
      expect(quick.asymmetricKeyDetails).toEqual(publicKeyFromSpki(spki).asymmetricKeyDetails);
      expect(spkiHex(spkiOf(quick))).toBe(spkiHex(spki));
      const data = Buffer.from('riik');
      const signature = sign(hash, data, privateKey);
      const algorithm = new AlgorithmIdentifier({ algorithm: oid });
      expect(verifySignature(quick, algorithm, data, signature)).toBe(true);
      expect(verifySignature(quick, algorithm, Buffer.from('riik!'), signature)).toBe(false);
    }
  });

  it('refuses a point off the curve as the decoder does', async () => {
    const spki = spkiOf(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
    const bad = new Uint8Array(spki);
    bad[bad.length - 1]! ^= 0x01; // y no longer matches x
    expect(() => publicKeyFromSpki(bad)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
    await expect(publicKeyFromSpkiQuick(bad)).rejects.toMatchObject({ code: 'UNSUPPORTED_ALGORITHM' });
  });

  it('leaves other keys to the decoder', async () => {
    for (const { publicKey } of [
      generateKeyPairSync('rsa', { modulusLength: 2048 }),
      generateKeyPairSync('ed25519'),
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }),
    ]) {
      const spki = spkiOf(publicKey);
      expect(spkiHex(spkiOf(await publicKeyFromSpkiQuick(spki)))).toBe(spkiHex(spki));
    }
    // a compressed point: the decoder reads it, to the same key
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const uncompressed = spkiOf(publicKey).subarray(-65);
    const point = ECDH.convertKey(uncompressed, 'prime256v1', undefined, undefined, 'compressed') as Buffer;
    const compressed = encodeSequence([
      encodeSequence([encodeOid(OID.ecPublicKey), encodeOid(OID.secp256r1)]),
      encodeTlv(0x03, new Uint8Array([0, ...point])),
    ]);
    expect((await publicKeyFromSpkiQuick(compressed)).export({ format: 'jwk' })).toEqual(
      publicKey.export({ format: 'jwk' }),
    );
    await expect(publicKeyFromSpkiQuick(compressed.subarray(0, 40))).rejects.toMatchObject({
      code: 'UNSUPPORTED_ALGORITHM',
    });
  });
});

describe('verifySignature', () => {
  it('verifies RSASSA-PSS by its parameters (the ASN.1 package loaded on first use)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const data = Buffer.from('riik');
    const signature = sign('sha384', data, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 48,
    });
    const params = new RsaSaPssParams({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: OID.sha384 }),
      maskGenAlgorithm: new AlgorithmIdentifier({
        algorithm: '1.2.840.113549.1.1.8',
        parameters: AsnConvert.serialize(new AlgorithmIdentifier({ algorithm: OID.sha384 })),
      }),
      saltLength: 48,
    });
    const algorithm = new AlgorithmIdentifier({
      algorithm: OID.rsassaPss,
      parameters: AsnConvert.serialize(params),
    });
    expect(verifySignature(publicKey, algorithm, data, signature)).toBe(true);
    expect(verifySignature(publicKey, algorithm, Buffer.from('riik!'), signature)).toBe(false);
    expect(() =>
      verifySignature(publicKey, new AlgorithmIdentifier({ algorithm: OID.rsassaPss }), data, signature),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
  });
});
