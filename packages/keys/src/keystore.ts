import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyError } from './errors.js';
import { generatePrivateKey, SoftwareSigner } from './software.js';
import type { KeyAlgorithm } from './signer.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Private keys as passphrase-encrypted PKCS#8 PEM files (PBES2: PBKDF2-HMAC-SHA256 +
 * AES-256-CBC, the OpenSSL 3 default), one file per key, readable by
 * `openssl pkey -in NAME.key.pem`. The passphrase stands in for an HSM PIN; the PKCS#11
 * path replaces this class for production CA / TSA / security-server keys.
 */
export class SoftwareKeystore {
  constructor(
    readonly dir: string,
    private readonly passphrase: string,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /**
   * Open the keystore in `dir`, creating the passphrase file on first use. The passphrase
   * can instead come from the environment (RIIK_KEYSTORE_PASSPHRASE) so it need not sit on disk.
   */
  static open(dir: string, passphrase = process.env.RIIK_KEYSTORE_PASSPHRASE): SoftwareKeystore {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (passphrase) return new SoftwareKeystore(dir, passphrase);
    const file = join(dir, 'keystore.pass');
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
    return new SoftwareKeystore(dir, readFileSync(file, 'utf8').trim());
  }

  private path(name: string): string {
    if (!NAME.test(name)) throw new KeyError('KEY_NOT_FOUND', `invalid key name ${JSON.stringify(name)}`);
    return join(this.dir, `${name}.key.pem`);
  }

  has(name: string): boolean {
    return existsSync(this.path(name));
  }

  /** Generate and store a new key; refuses to overwrite an existing one. */
  generate(name: string, algorithm: KeyAlgorithm): SoftwareSigner {
    const key = generatePrivateKey(algorithm);
    this.store(name, key);
    return new SoftwareSigner(key);
  }

  store(name: string, key: KeyObject): void {
    const file = this.path(name);
    if (existsSync(file)) throw new KeyError('KEY_EXISTS', `key ${name} already exists`);
    const pem = key.export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: this.passphrase,
    });
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  }

  signer(name: string): SoftwareSigner {
    const file = this.path(name);
    if (!existsSync(file)) throw new KeyError('KEY_NOT_FOUND', `no key named ${name} in ${this.dir}`);
    try {
      return new SoftwareSigner(createPrivateKey({ key: readFileSync(file), passphrase: this.passphrase }));
    } catch (err) {
      throw new KeyError('BAD_PASSPHRASE', `cannot decrypt key ${name}`, { cause: err });
    }
  }
}
