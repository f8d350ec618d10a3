import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { p384 } from '@noble/curves/nist.js';
import { z } from 'zod';
import { ecdsaRawToDer, nodeHashName, type HashAlgorithm, type Signer } from '@riik/keys';
import { buildCsr, Certificate, type DocumentType } from '@riik/pki';
import { EidError } from './errors.js';
import { DEFAULT_KDF, deriveKey, open, seal, type KdfParams, type Sealed } from './crypto.js';
import { checkPinFormat, MAX_TRIES, type PinKind } from './pins.js';

/** The two keys on the card: authentication (PIN1) and qualified signature (PIN2). */
export type KeySlot = 'auth' | 'sign';
const PIN_OF: Record<KeySlot, 'pin1' | 'pin2'> = { auth: 'pin1', sign: 'pin2' };

const sealedSchema = z.object({ iv: z.string(), ct: z.string(), tag: z.string() });
const wrapSchema = z.object({ salt: z.string(), sealed: sealedSchema });
const keySchema = z.object({
  publicKey: z.string(),
  privateKey: sealedSchema,
  dekByPin: wrapSchema,
  dekByPuk: wrapSchema,
});
const fileSchema = z.object({
  format: z.literal('riik-eid-token'),
  version: z.literal(1),
  documentType: z.enum(['id-card', 'digi-id', 'e-resident', 'mobile-id', 'smart-id']),
  holder: z.object({ idCode: z.string(), givenName: z.string(), surname: z.string() }),
  kdf: z.object({ name: z.literal('scrypt'), N: z.number().int(), r: z.number().int(), p: z.number().int() }),
  tries: z.object({
    pin1: z.number().int().min(0).max(MAX_TRIES),
    pin2: z.number().int().min(0).max(MAX_TRIES),
    puk: z.number().int().min(0).max(MAX_TRIES),
  }),
  keys: z.object({ auth: keySchema, sign: keySchema }),
  certificates: z.object({ auth: z.string().optional(), sign: z.string().optional() }),
});
type TokenFile = z.infer<typeof fileSchema>;

export interface Holder {
  idCode: string;
  givenName: string;
  surname: string;
}

export interface CreateTokenOptions {
  file: string;
  holder: Holder;
  documentType: DocumentType;
  pin1: string;
  pin2: string;
  puk: string;
  /** Lower only in tests: the cost is what protects a 4-digit PIN in a stolen file. */
  kdf?: KdfParams;
}

/** The additional authenticated data binding a sealed value to its slot and purpose. */
const aad = (slot: KeySlot, what: string) => `riik-eid:${slot}:${what}`;

/**
 * A software eID token that behaves like the ID-card chip: two P-384 key pairs generated on the
 * token, each private key sealed under a key only the right PIN (or the PUK) can derive; three
 * wrong PINs block, the PUK unblocks and sets a new PIN, three wrong PUKs block the PUK. Private
 * keys never leave it: it signs digests.
 *
 * Try counters live in the token file and are decremented and written to disk *before* a PIN is
 * checked, and restored only after it proved right, as a chip does: killing the process after a
 * wrong guess cannot buy extra tries.
 */
export class EidToken {
  private constructor(
    readonly file: string,
    private state: TokenFile,
  ) {}

  static async create(options: CreateTokenOptions): Promise<EidToken> {
    if (existsSync(options.file)) throw new EidError('TOKEN_EXISTS', `${options.file} already exists`);
    checkPinFormat('pin1', options.pin1);
    checkPinFormat('pin2', options.pin2);
    checkPinFormat('puk', options.puk);
    const kdf = options.kdf ?? DEFAULT_KDF;
    const keys = {} as TokenFile['keys'];
    for (const slot of ['auth', 'sign'] as const) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
      const dek = randomBytes(32);
      const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
      keys[slot] = {
        publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        privateKey: seal(dek, pkcs8, aad(slot, 'key')),
        dekByPin: await wrap(dek, slot === 'auth' ? options.pin1 : options.pin2, kdf, aad(slot, 'pin')),
        dekByPuk: await wrap(dek, options.puk, kdf, aad(slot, 'puk')),
      };
      pkcs8.fill(0);
      dek.fill(0);
    }
    const state: TokenFile = {
      format: 'riik-eid-token',
      version: 1,
      documentType: options.documentType,
      holder: options.holder,
      kdf,
      tries: { pin1: MAX_TRIES, pin2: MAX_TRIES, puk: MAX_TRIES },
      keys,
      certificates: {},
    };
    const token = new EidToken(options.file, state);
    token.save(true);
    return token;
  }

  static open(file: string): EidToken {
    return new EidToken(file, EidToken.read(file));
  }

  private static read(file: string): TokenFile {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new EidError('TOKEN_CORRUPT', `cannot read eID token ${file}`, undefined, { cause: err });
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) throw new EidError('TOKEN_CORRUPT', `${file} is not a riik eID token`);
    return parsed.data;
  }

  /** Write atomically and durably: a crash leaves either the old or the new file, never half. */
  private save(exclusive = false): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, exclusive ? 'wx' : 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.state, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (exclusive && existsSync(this.file)) throw new EidError('TOKEN_EXISTS', `${this.file} already exists`);
    renameSync(tmp, this.file);
  }

  get holder(): Holder {
    return this.state.holder;
  }
  get documentType(): DocumentType {
    return this.state.documentType;
  }
  /** Tries left for each secret (re-read from disk: another process may have used the token). */
  triesLeft(): Record<PinKind, number> {
    this.state = EidToken.read(this.file);
    return { ...this.state.tries };
  }
  publicKey(slot: KeySlot): KeyObject {
    return createPublicKey({
      key: Buffer.from(this.state.keys[slot].publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
  }
  certificate(slot: KeySlot): Certificate {
    const pem = this.state.certificates[slot];
    if (!pem) throw new EidError('NO_CERTIFICATE', `the token has no ${slot} certificate yet`);
    return Certificate.fromPem(pem);
  }
  hasCertificates(): boolean {
    return Boolean(this.state.certificates.auth && this.state.certificates.sign);
  }
  /** Store the certificates the CA issued; each must certify the key in its slot. */
  setCertificate(slot: KeySlot, cert: Certificate): void {
    const spki = this.publicKey(slot).export({ format: 'der', type: 'spki' });
    if (!Buffer.from(cert.spkiDer).equals(spki)) {
      throw new EidError('NO_CERTIFICATE', `the certificate does not certify the ${slot} key of this token`);
    }
    this.state = EidToken.read(this.file);
    this.state.certificates[slot] = cert.toPem();
    this.save();
  }

  /**
   * Verify a PIN (or the PUK) against the sealed data key of `slot`, spending a try first.
   * Returns the data key; throws PIN_INCORRECT / PIN_BLOCKED (or the PUK forms).
   */
  private async unlockDek(slot: KeySlot, kind: PinKind, pin: string): Promise<Buffer> {
    checkPinFormat(kind, pin);
    this.state = EidToken.read(this.file);
    const isPuk = kind === 'puk';
    if (this.state.tries[kind] === 0) {
      throw new EidError(isPuk ? 'PUK_BLOCKED' : 'PIN_BLOCKED', `${kind.toUpperCase()} is blocked`, 0);
    }
    this.state.tries[kind] -= 1;
    this.save();
    const wrapped = isPuk ? this.state.keys[slot].dekByPuk : this.state.keys[slot].dekByPin;
    const key = await deriveKey(pin, Buffer.from(wrapped.salt, 'base64'), this.state.kdf);
    const dek = open(key, wrapped.sealed, aad(slot, isPuk ? 'puk' : 'pin'));
    key.fill(0);
    this.state = EidToken.read(this.file);
    if (!dek) {
      const left = this.state.tries[kind];
      if (left === 0)
        throw new EidError(isPuk ? 'PUK_BLOCKED' : 'PIN_BLOCKED', `${kind.toUpperCase()} is now blocked`, 0);
      throw new EidError(
        isPuk ? 'PUK_INCORRECT' : 'PIN_INCORRECT',
        `wrong ${kind.toUpperCase()}; ${left} tries left`,
        left,
      );
    }
    this.state.tries[kind] = MAX_TRIES;
    this.save();
    return dek;
  }

  /** Unlock a key with its PIN, as a card session after VERIFY PIN; the handle signs digests. */
  async unlock(slot: KeySlot, pin: string): Promise<UnlockedKey> {
    const dek = await this.unlockDek(slot, PIN_OF[slot], pin);
    const pkcs8 = open(dek, this.state.keys[slot].privateKey, aad(slot, 'key'));
    dek.fill(0);
    if (!pkcs8) throw new EidError('TOKEN_CORRUPT', 'the sealed key does not open with its data key');
    return new UnlockedKey(
      createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
      this.publicKey(slot),
    );
  }

  /** Sign a digest (SHA-256/384/512 output) with the key of `slot` after checking its PIN. */
  async signDigest(
    slot: KeySlot,
    digest: Uint8Array,
    pin: string,
    format: 'raw' | 'der' = 'raw',
  ): Promise<Uint8Array> {
    return (await this.unlock(slot, pin)).signDigest(digest, format);
  }

  /** A PKCS#10 request for the key of `slot` (PIN needed: the key signs it). */
  async createCsr(slot: KeySlot, pin: string): Promise<Uint8Array> {
    return buildCsr((await this.unlock(slot, pin)).signer());
  }

  async changePin(kind: 'pin1' | 'pin2', oldPin: string, newPin: string): Promise<void> {
    checkPinFormat(kind, newPin);
    const slot: KeySlot = kind === 'pin1' ? 'auth' : 'sign';
    const dek = await this.unlockDek(slot, kind, oldPin);
    await this.rewrapPin(slot, dek, newPin);
  }

  /** PUK: unblock PIN1 or PIN2 and set a new one. */
  async unblock(kind: 'pin1' | 'pin2', puk: string, newPin: string): Promise<void> {
    checkPinFormat(kind, newPin);
    const slot: KeySlot = kind === 'pin1' ? 'auth' : 'sign';
    const dek = await this.unlockDek(slot, 'puk', puk);
    await this.rewrapPin(slot, dek, newPin);
  }

  private async rewrapPin(slot: KeySlot, dek: Buffer, newPin: string): Promise<void> {
    const wrapped = await wrap(dek, newPin, this.state.kdf, aad(slot, 'pin'));
    dek.fill(0);
    this.state = EidToken.read(this.file);
    this.state.keys[slot].dekByPin = wrapped;
    this.state.tries[PIN_OF[slot]] = MAX_TRIES;
    this.save();
  }
}

async function wrap(
  dek: Uint8Array,
  pin: string,
  kdf: KdfParams,
  aadText: string,
): Promise<{ salt: string; sealed: Sealed }> {
  const salt = randomBytes(16);
  const key = await deriveKey(pin, salt, kdf);
  const sealed = seal(key, dek, aadText);
  key.fill(0);
  return { salt: salt.toString('base64'), sealed };
}

const DIGEST_LENGTHS = new Set([32, 48, 64]);

/** A key unlocked by its PIN: signs digests (raw r||s or DER), never exports the key. */
export class UnlockedKey {
  private readonly scalar: Uint8Array;

  constructor(
    privateKey: KeyObject,
    readonly publicKey: KeyObject,
  ) {
    const d = privateKey.export({ format: 'jwk' }).d;
    if (!d) throw new EidError('TOKEN_CORRUPT', 'not an EC private key');
    this.scalar = new Uint8Array(Buffer.from(d, 'base64url'));
  }

  /**
   * ECDSA over a precomputed digest, as the card's PSO: COMPUTE DIGITAL SIGNATURE does. Done with
   * @noble/curves because node:crypto always hashes its input.
   */
  signDigest(digest: Uint8Array, format: 'raw' | 'der' = 'raw'): Uint8Array {
    if (!DIGEST_LENGTHS.has(digest.length))
      throw new EidError('BAD_DIGEST', 'digest must be 32, 48 or 64 bytes');
    const raw = p384.sign(digest, this.scalar, { prehash: false });
    return format === 'raw' ? raw : ecdsaRawToDer(raw);
  }

  /** A Signer view (hashes then signs the digest), e.g. for CSRs. */
  signer(): Signer {
    return {
      keyAlgorithm: 'EC-P384',
      publicKey: this.publicKey,
      sign: async (data: Uint8Array, hash: HashAlgorithm) =>
        this.signDigest(new Uint8Array(createHash(nodeHashName(hash)).update(data).digest()), 'der'),
    };
  }
}
