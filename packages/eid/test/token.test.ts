import { spawn } from 'node:child_process';
import { createHash, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@riik/testing';
import { parseCsr } from '@riik/pki';
import { EidToken, type CreateTokenOptions } from '../src/index.js';

const dir = tempDir();
afterAll(() => dir.remove());
// A cheaper KDF keeps the suite fast; production tokens use DEFAULT_KDF (scrypt N=2^15, 32 MiB).
const kdf = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 };
let n = 0;
const create = (extra: Partial<CreateTokenOptions> = {}) =>
  EidToken.create({
    file: `${dir.path}/token-${n++}.json`,
    holder: { idCode: '38001085718', givenName: 'JAAK-KRISTJAN', surname: 'JÕEORG' },
    documentType: 'id-card',
    pin1: '1234',
    pin2: '12345',
    puk: '12345678',
    kdf,
    ...extra,
  });

describe('eID token', () => {
  it('signs digests with the auth key (PIN1) and the sign key (PIN2), raw and DER', async () => {
    const token = await create();
    const data = Buffer.from('hash(origin) || hash(nonce)');
    for (const [hash, name] of [
      ['sha384', 'SHA-384'],
      ['sha256', 'SHA-256'],
      ['sha512', 'SHA-512'],
    ] as const) {
      const digest = createHash(hash).update(data).digest();
      const raw = await token.signDigest('auth', digest, '1234');
      expect(raw).toHaveLength(96);
      expect(verify(hash, data, { key: token.publicKey('auth'), dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
      const der = await token.signDigest('sign', digest, '12345', 'der');
      expect(verify(hash, data, token.publicKey('sign'), der)).toBe(true);
      void name;
    }
    // Each slot answers only to its own PIN.
    await expect(token.signDigest('sign', new Uint8Array(48), '1234x')).rejects.toMatchObject({
      code: 'PIN_FORMAT',
    });
    await expect(token.signDigest('auth', new Uint8Array(20), '1234')).rejects.toMatchObject({
      code: 'BAD_DIGEST',
    });
  });

  it('counts wrong PINs down, blocks after three, and the PUK unblocks with a new PIN', async () => {
    const token = await create();
    const digest = new Uint8Array(48);
    await expect(token.signDigest('auth', digest, '0000')).rejects.toMatchObject({
      code: 'PIN_INCORRECT',
      triesLeft: 2,
    });
    await expect(token.signDigest('auth', digest, '0000')).rejects.toMatchObject({
      code: 'PIN_INCORRECT',
      triesLeft: 1,
    });
    // A right PIN resets the counter.
    await token.signDigest('auth', digest, '1234');
    expect(token.triesLeft().pin1).toBe(3);
    for (const left of [2, 1])
      await expect(token.signDigest('auth', digest, '9999')).rejects.toMatchObject({ triesLeft: left });
    await expect(token.signDigest('auth', digest, '9999')).rejects.toMatchObject({
      code: 'PIN_BLOCKED',
      triesLeft: 0,
    });
    // Blocked means blocked, even for the right PIN; PIN2 is independent.
    await expect(token.signDigest('auth', digest, '1234')).rejects.toMatchObject({ code: 'PIN_BLOCKED' });
    await token.signDigest('sign', digest, '12345');
    // Reopening (another process) sees the same state.
    expect(EidToken.open(token.file).triesLeft()).toEqual({ pin1: 0, pin2: 3, puk: 3 });
    await expect(token.unblock('pin1', '00000000', '4321')).rejects.toMatchObject({
      code: 'PUK_INCORRECT',
      triesLeft: 2,
    });
    await token.unblock('pin1', '12345678', '4321');
    expect(token.triesLeft()).toEqual({ pin1: 3, pin2: 3, puk: 3 });
    await token.signDigest('auth', digest, '4321');
    await expect(token.signDigest('auth', digest, '1234')).rejects.toMatchObject({ code: 'PIN_INCORRECT' });
  });

  it('blocks the PUK after three wrong tries', async () => {
    const token = await create();
    await expect(token.unblock('pin2', '00000000', '55555')).rejects.toMatchObject({ triesLeft: 2 });
    await expect(token.unblock('pin2', '00000000', '55555')).rejects.toMatchObject({ triesLeft: 1 });
    await expect(token.unblock('pin2', '00000000', '55555')).rejects.toMatchObject({ code: 'PUK_BLOCKED' });
    await expect(token.unblock('pin2', '12345678', '55555')).rejects.toMatchObject({ code: 'PUK_BLOCKED' });
  });

  it('changes a PIN', async () => {
    const token = await create();
    await token.changePin('pin2', '12345', '246810');
    await token.signDigest('sign', new Uint8Array(48), '246810');
    await expect(token.signDigest('sign', new Uint8Array(48), '12345')).rejects.toMatchObject({
      code: 'PIN_INCORRECT',
    });
    await expect(token.changePin('pin1', '1234', '12')).rejects.toMatchObject({ code: 'PIN_FORMAT' });
  });

  it('makes CSRs signed by the slot key', async () => {
    const token = await create();
    const csr = parseCsr(await token.createCsr('sign', '12345'));
    expect(Buffer.from(csr.subjectPublicKeyInfo)).toEqual(
      token.publicKey('sign').export({ format: 'der', type: 'spki' }),
    );
  });

  it('keeps the try counter across a process that is killed after a wrong PIN', async () => {
    const token = await create();
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `${dir.path}/wrong-pin.mjs`;
    writeFileSync(
      script,
      `import { EidToken } from ${JSON.stringify(entry)};
       const t = EidToken.open(process.argv[2]);
       await t.signDigest('auth', new Uint8Array(48), '0000').catch((e) => console.log(e.code, e.triesLeft));
       process.kill(process.pid, 'SIGKILL');`,
    );
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) =>
        spawn(process.execPath, [script, token.file], { stdio: 'ignore' }).on('exit', resolve),
      );
    }
    expect(token.triesLeft().pin1).toBe(1);
  });

  it('refuses bad PIN formats at creation, existing files and corrupt tokens', async () => {
    await expect(create({ pin1: '12' })).rejects.toMatchObject({ code: 'PIN_FORMAT' });
    await expect(create({ pin2: '1234' })).rejects.toMatchObject({ code: 'PIN_FORMAT' });
    await expect(create({ puk: '1234567' })).rejects.toMatchObject({ code: 'PIN_FORMAT' });
    const token = await create();
    await expect(
      EidToken.create({
        file: token.file,
        holder: token.holder,
        documentType: 'id-card',
        pin1: '1234',
        pin2: '12345',
        puk: '12345678',
        kdf,
      }),
    ).rejects.toMatchObject({
      code: 'TOKEN_EXISTS',
    });
    for (const content of ['', '{', '{"format":"riik-eid-token","version":1}', JSON.stringify({ a: 1 })]) {
      writeFileSync(`${dir.path}/corrupt.json`, content);
      expect(() => EidToken.open(`${dir.path}/corrupt.json`)).toThrow(
        expect.objectContaining({ code: 'TOKEN_CORRUPT' }),
      );
    }
    expect(() => EidToken.open(`${dir.path}/missing.json`)).toThrow(
      expect.objectContaining({ code: 'TOKEN_CORRUPT' }),
    );
  });

  it('never stores the private keys in the clear', async () => {
    const token = await create();
    const text = readFileSync(token.file, 'utf8');
    expect(text).not.toMatch(/PRIVATE KEY/);
    const unlocked = await token.unlock('auth', '1234');
    const d = Buffer.from((unlocked as unknown as { scalar: Uint8Array }).scalar).toString('base64');
    expect(text).not.toContain(d.slice(0, 16));
  });
});
