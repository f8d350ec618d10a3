import { createHash } from 'node:crypto';
import type { DataFile } from '../container/model.js';
import type { HashName } from '../xmldsig/algorithms.js';
import type { ZipReader } from '../zip/read.js';

/** A piece of octets a digest covers: bytes in memory, or a data file streamed from the ZIP. */
export type DigestPart = Uint8Array | { readonly dataFile: DataFile };

/**
 * Digests of data files and of concatenated parts, streamed from the ZIP (a data file is never
 * held in memory) and cached per file and algorithm, since every signature of a container
 * references the same files.
 */
export class Digester {
  private readonly cache = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly zip: ZipReader) {}

  dataFile(file: DataFile, hash: HashName): Promise<Uint8Array> {
    const key = `${hash}\u0000${file.entry.index}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.parts([{ dataFile: file }], hash);
      this.cache.set(key, pending);
    }
    return pending;
  }

  async parts(parts: readonly DigestPart[], hash: HashName): Promise<Uint8Array> {
    const h = createHash(hash);
    for (const part of parts) {
      if (part instanceof Uint8Array) h.update(part);
      else await this.zip.forEachChunk(part.dataFile.entry, (chunk) => h.update(chunk));
    }
    return new Uint8Array(h.digest());
  }
}
