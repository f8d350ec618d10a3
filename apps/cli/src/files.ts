import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import type { HashAlgorithm } from '@riik/keys';
import { CliError } from './output.js';

/** SHA-2 digest of a file, streamed (documents may be large). */
export async function hashFile(path: string, algorithm: HashAlgorithm): Promise<Uint8Array> {
  if (!existsSync(path)) throw new CliError('NO_FILE', `no such file: ${path}`);
  const hash = createHash(algorithm.replace('-', '').toLowerCase());
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return new Uint8Array(hash.digest());
}

export function readInput(path: string, what: string): Buffer {
  if (!existsSync(path)) throw new CliError('NO_FILE', `no such ${what}: ${path}`);
  return readFileSync(path);
}

/** --hash sha256|sha384|sha512 → HashAlgorithm. */
export function hashOption(value: string): HashAlgorithm {
  const map: Record<string, HashAlgorithm> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };
  const h = map[value.toLowerCase().replace('-', '')];
  if (!h) throw new CliError('BAD_HASH', `--hash must be sha256, sha384 or sha512`, 2);
  return h;
}
