import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { AsiceError } from '../errors.js';
import { assertSafePath } from './names.js';

/**
 * A streaming ZIP writer (yazl). Entry content is streamed in and the archive streamed out, so
 * large data files never sit in memory. Names are checked like the reader checks them, and
 * duplicates (also ones differing only in case, which would collide on extraction to a
 * case-insensitive file system) are refused.
 *
 * Every entry uses a DOS timestamp only, so no extra field is written: ASiC (EN 319 162-1
 * A.1) requires that of `mimetype`, and it keeps output byte-stable for a given `mtime`.
 */
export class ZipWriter {
  private readonly zip = new yazl.ZipFile();
  private readonly names = new Set<string>();
  private failure: Error | undefined;

  constructor(private readonly mtime: Date) {
    this.zip.on('error', (err: Error) => this.fail(err));
  }

  /** yazl reports failures as events and leaves its output open; end the output so writeTo rejects. */
  private fail(err: Error): void {
    this.failure ??= err;
    (this.zip.outputStream as Readable).destroy(err); // a PassThrough; the typings say only ReadableStream
  }

  /** An uncompressed entry, with sizes in the local header and no data descriptor. */
  addStored(name: string, content: Uint8Array): void {
    this.claim(name);
    this.zip.addBuffer(toBuffer(content), name, { compress: false, ...this.common() });
  }

  addBytes(name: string, content: Uint8Array, compress = true): void {
    this.claim(name);
    this.zip.addBuffer(toBuffer(content), name, { compress, ...this.common() });
  }

  /** Content read from a stream opened only when the writer reaches this entry. */
  addStream(
    name: string,
    open: () => Readable | Promise<Readable>,
    options: { size?: number; compress?: boolean } = {},
  ): void {
    this.claim(name);
    this.zip.addReadStreamLazy(name, { compress: true, ...this.common(), ...options }, (cb) => {
      Promise.resolve()
        .then(open)
        .then(
          (stream) => {
            stream.once('error', (err: Error) => this.fail(err)); // yazl does not watch the streams it is given
            cb(null, stream);
          },
          (err: unknown) => cb(err instanceof Error ? err : new Error(String(err)), undefined as never),
        );
    });
  }

  /** Ends the archive and streams it into `target` (a path or a writable stream). */
  async writeTo(target: string | Writable): Promise<void> {
    this.zip.end();
    const sink = typeof target === 'string' ? createWriteStream(target) : target;
    try {
      await pipeline(this.zip.outputStream, sink);
    } catch (cause) {
      if (typeof target === 'string') await rm(target, { force: true }); // no half-written container left behind
      throw new AsiceError('ZIP_WRITE_FAILED', `writing the ZIP failed: ${String(cause)}`, { cause });
    }
    if (this.failure) {
      throw new AsiceError('ZIP_WRITE_FAILED', `writing the ZIP failed: ${this.failure.message}`, {
        cause: this.failure,
      });
    }
  }

  /** Ends the archive and collects it in memory (small containers and tests). */
  async toBuffer(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    await this.writeTo(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    return Buffer.concat(chunks);
  }

  private claim(name: string): void {
    assertSafePath(name);
    const key = name.toLowerCase();
    if (this.names.has(key)) throw new AsiceError('ZIP_DUPLICATE_ENTRY', `duplicate ZIP entry ${name}`);
    this.names.add(key);
  }

  private common(): { mtime: Date; forceDosTimestamp: true; mode: number } {
    return { mtime: this.mtime, forceDosTimestamp: true, mode: 0o100644 };
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
