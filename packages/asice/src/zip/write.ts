/**
 * A streaming ZIP writer (APPNOTE 6.3.x), riik's own. Entry content is streamed in and the
 * archive out, so large data files never sit in memory.
 *
 * Why not a library: yazl (used before) computes CRC-32 in JavaScript at ~250 MB/s — four times
 * slower than hashing the same data — which made signing a large file several times slower than
 * `sha256sum` of it; node:zlib's CRC-32 is native. And yazl writes stored entries of unknown CRC
 * with a data descriptor, which Java's ZipInputStream (DSS, digidoc4j) refuses ("only DEFLATED
 * entries can have EXT descriptor").
 *
 * So: writing to a file, every entry's local header is completed in place once its CRC and
 * sizes are known, and no data descriptor is written. A non-seekable output cannot be patched,
 * so there streamed entries carry a data descriptor and are always deflated (a stored entry
 * with a descriptor is what Java refuses).
 *
 * Every entry uses a DOS timestamp only (UTC), so no extra field is written except ZIP64 where
 * sizes or offsets need it: ASiC (EN 319 162-1 A.1) requires that of `mimetype`, and it keeps
 * output byte-stable for a given `mtime`. Names are checked like the reader checks them, and
 * duplicates (also ones differing only in case, which would collide on extraction to a
 * case-insensitive file system) are refused.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import { AsiceError } from '../errors.js';
import { assertSafePath } from './names.js';

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const STORED = 0;
const DEFLATED = 8;
/** Unix, APPNOTE 6.3. */
const VERSION_MADE_BY = (3 << 8) | 63;
const FILE_MODE = 0o100644;

/**
 * Entry content: a Readable or any async iterable of chunks. A chunk is done with once the next
 * one is asked for (hashed, checksummed and written, or copied), so a source may reuse one buffer.
 */
export type ChunkSource = AsyncIterable<Uint8Array> & { destroy?: () => void };

function closeSource(source: ChunkSource): void {
  if (source.destroy) source.destroy();
  else void (source as AsyncGenerator<Uint8Array>).return?.(undefined);
}

type Source =
  | { readonly kind: 'bytes'; readonly data: Buffer; readonly compress: boolean }
  | {
      readonly kind: 'stream';
      readonly open: () => ChunkSource | Promise<ChunkSource>;
      readonly size?: number;
      readonly compress: boolean;
    };

interface Written {
  readonly name: Buffer;
  readonly flags: number;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly offset: number;
}

export class ZipWriter {
  private readonly entries: Array<{ name: string; source: Source }> = [];
  private readonly names = new Set<string>();
  private added: (() => void) | undefined;
  private ended = false;

  /**
   * @param zip64From sizes and offsets from which ZIP64 fields are used (4 GiB − 1 as APPNOTE
   *   requires; tests lower it to exercise ZIP64 without writing gigabytes)
   */
  constructor(
    private readonly mtime: Date,
    private readonly zip64From = MAX32,
  ) {}

  private needsZip64(size: number, compressedSize: number): boolean {
    return size >= this.zip64From || compressedSize >= this.zip64From;
  }

  /** An uncompressed entry, with sizes in the local header and no data descriptor. */
  addStored(name: string, content: Uint8Array): void {
    this.add(name, { kind: 'bytes', data: toBuffer(content), compress: false });
  }

  addBytes(name: string, content: Uint8Array, compress = true): void {
    this.add(name, { kind: 'bytes', data: toBuffer(content), compress });
  }

  /** Content read from a stream opened only when the writer reaches this entry. */
  addStream(
    name: string,
    open: () => ChunkSource | Promise<ChunkSource>,
    options: { size?: number; compress?: boolean } = {},
  ): void {
    this.add(name, {
      kind: 'stream',
      open,
      ...(options.size !== undefined ? { size: options.size } : {}),
      compress: options.compress ?? true,
    });
  }

  private add(name: string, source: Source): void {
    if (this.ended) throw new AsiceError('ZIP_WRITE_FAILED', 'the archive is already complete');
    assertSafePath(name);
    const key = name.toLowerCase();
    if (this.names.has(key)) throw new AsiceError('ZIP_DUPLICATE_ENTRY', `duplicate ZIP entry ${name}`);
    this.names.add(key);
    this.entries.push({ name, source });
    this.added?.();
  }

  /**
   * Streams the archive into `target` (a path or a writable stream) and ends it. `beforeEnd` runs
   * while the entries added so far are being written and may add more (a signature over data
   * files digested on their way out); when it fails, the output is abandoned (a path is removed)
   * and its error is what this rejects with.
   */
  async writeTo(target: string | Writable, beforeEnd?: () => Promise<void>): Promise<void> {
    const output = typeof target === 'string' ? await FileOutput.create(target) : new StreamOutput(target);
    const written: Written[] = [];
    let pumpError: Error | undefined;
    let stopped = false;
    const pump = (async () => {
      for (let next = 0; ;) {
        if (stopped) return;
        const entry = this.entries[next];
        if (entry) {
          next++;
          written.push(await this.writeEntry(output, entry.name, entry.source));
        } else if (this.ended) return;
        else await new Promise<void>((resolve) => (this.added = resolve));
      }
    })().catch((err: unknown) => {
      pumpError = asError(err);
    });
    const pumpFailure = pump.then(() =>
      pumpError === undefined ? new Promise<never>(() => {}) : Promise.reject(pumpError),
    );
    pumpFailure.catch(() => undefined); // raced below, and may settle after the race
    let beforeEndError: Error | undefined;
    if (beforeEnd) {
      try {
        await Promise.race([beforeEnd(), pumpFailure]);
      } catch (err) {
        if (err !== pumpError) beforeEndError = asError(err);
      }
    }
    if (beforeEndError !== undefined) {
      stopped = true;
      await output.abort(); // the entry being written fails at its next write
    }
    this.ended = true;
    this.added?.();
    await pump;
    if (beforeEndError === undefined && pumpError === undefined) {
      try {
        await output.write(this.centralDirectory(written, output.position));
        await output.finish();
        return;
      } catch (err) {
        pumpError = asError(err);
      }
    }
    await output.abort();
    if (beforeEndError !== undefined) throw beforeEndError;
    if (pumpError instanceof AsiceError && pumpError.code !== 'ZIP_WRITE_FAILED') throw pumpError;
    throw new AsiceError('ZIP_WRITE_FAILED', `writing the ZIP failed: ${String(pumpError)}`, {
      cause: pumpError,
    });
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

  private async writeEntry(output: Output, name: string, source: Source): Promise<Written> {
    const nameBytes = Buffer.from(name, 'utf8');
    const flags = /^[\x20-\x7e]*$/.test(name) ? 0 : FLAG_UTF8;
    const offset = output.position;
    if (source.kind === 'bytes') {
      const data = source.compress ? deflateRawSync(source.data) : source.data;
      const entry: Written = {
        name: nameBytes,
        flags,
        method: source.compress ? DEFLATED : STORED,
        crc: crc32(source.data),
        compressedSize: data.length,
        size: source.data.length,
        offset,
      };
      await output.write(this.localHeader(entry, this.needsZip64(entry.size, entry.compressedSize)));
      await output.write(data);
      return entry;
    }

    // A stream: CRC and sizes become known at its end.
    const patchable = output.canPatch;
    const compress = source.compress || !patchable;
    const zip64 =
      source.size !== undefined && this.needsZip64(source.size, source.size + (source.size >> 6) + 1024);
    const pending: Written = {
      name: nameBytes,
      flags: flags | (patchable ? 0 : FLAG_DATA_DESCRIPTOR),
      method: compress ? DEFLATED : STORED,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset,
    };
    const header = this.localHeader(pending, zip64);
    await output.write(header);
    const input = await source.open();
    let crc = 0;
    let size = 0;
    let compressedSize = 0;
    const deflater = compress ? createDeflateRaw() : undefined;
    const sink = async (chunk: Buffer) => {
      compressedSize += chunk.length;
      await output.write(chunk);
    };
    try {
      if (deflater) {
        const drained = (async () => {
          for await (const chunk of deflater) await sink(chunk as Buffer);
        })();
        // an output failure must also end the wait for 'drain' below
        drained.catch((err: unknown) =>
          deflater.destroy(err instanceof Error ? err : new Error(String(err))),
        );
        try {
          for await (const chunk of input) {
            const b = chunk as Buffer;
            crc = crc32(b, crc);
            size += b.length;
            // copied: zlib keeps the chunk until it gets to it, and a source may reuse its buffer
            if (!deflater.write(Buffer.from(b))) await once(deflater, 'drain');
          }
        } finally {
          deflater.end();
        }
        await drained;
      } else {
        for await (const chunk of input) {
          const b = chunk as Buffer;
          crc = crc32(b, crc);
          size += b.length;
          await sink(b);
        }
      }
    } catch (err) {
      closeSource(input);
      deflater?.destroy();
      throw err;
    }
    if (source.size !== undefined && size !== source.size)
      throw new AsiceError('ZIP_WRITE_FAILED', `${name}: ${size} bytes, ${source.size} declared`);
    if (!zip64 && this.needsZip64(size, compressedSize))
      throw new AsiceError('ZIP_ENTRY_TOO_LARGE', `${name} is over 4 GiB and its size was not declared`);
    const entry: Written = { ...pending, crc, size, compressedSize };
    if (patchable) await output.patch(offset, this.localHeader(entry, zip64));
    else await output.write(dataDescriptor(entry, zip64));
    return entry;
  }

  private localHeader(entry: Written, zip64: boolean): Buffer {
    const { time, date } = dosDateTime(this.mtime);
    const extra = zip64 ? zip64Extra([entry.size, entry.compressedSize]) : Buffer.alloc(0);
    const b = Buffer.alloc(30);
    b.writeUInt32LE(LOCAL_HEADER, 0);
    b.writeUInt16LE(zip64 ? 45 : 20, 4);
    b.writeUInt16LE(entry.flags, 6);
    b.writeUInt16LE(entry.method, 8);
    b.writeUInt16LE(time, 10);
    b.writeUInt16LE(date, 12);
    b.writeUInt32LE(entry.crc >>> 0, 14);
    b.writeUInt32LE(zip64 ? MAX32 : entry.compressedSize, 18);
    b.writeUInt32LE(zip64 ? MAX32 : entry.size, 22);
    b.writeUInt16LE(entry.name.length, 26);
    b.writeUInt16LE(extra.length, 28);
    return Buffer.concat([b, entry.name, extra]);
  }

  private centralDirectory(entries: readonly Written[], start: number): Buffer {
    const { time, date } = dosDateTime(this.mtime);
    const records: Buffer[] = [];
    for (const e of entries) {
      const big = [e.size, e.compressedSize, e.offset].map((v) => v >= this.zip64From);
      const extra = big.some(Boolean)
        ? zip64Extra([e.size, e.compressedSize, e.offset].filter((_, i) => big[i]))
        : Buffer.alloc(0);
      const b = Buffer.alloc(46);
      b.writeUInt32LE(CENTRAL_HEADER, 0);
      b.writeUInt16LE(VERSION_MADE_BY, 4);
      b.writeUInt16LE(extra.length > 0 ? 45 : 20, 6);
      b.writeUInt16LE(e.flags, 8);
      b.writeUInt16LE(e.method, 10);
      b.writeUInt16LE(time, 12);
      b.writeUInt16LE(date, 14);
      b.writeUInt32LE(e.crc >>> 0, 16);
      b.writeUInt32LE(big[1] ? MAX32 : e.compressedSize, 20);
      b.writeUInt32LE(big[0] ? MAX32 : e.size, 24);
      b.writeUInt16LE(e.name.length, 28);
      b.writeUInt16LE(extra.length, 30);
      b.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
      b.writeUInt32LE(big[2] ? MAX32 : e.offset, 42);
      records.push(b, e.name, extra);
    }
    const directory = Buffer.concat(records);
    const end = start + directory.length;
    const zip64 = entries.length >= MAX16 || start >= this.zip64From || directory.length >= this.zip64From;
    const tail: Buffer[] = [];
    if (zip64) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(ZIP64_END, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(VERSION_MADE_BY, 12);
      record.writeUInt16LE(45, 14);
      record.writeBigUInt64LE(BigInt(entries.length), 24);
      record.writeBigUInt64LE(BigInt(entries.length), 32);
      record.writeBigUInt64LE(BigInt(directory.length), 40);
      record.writeBigUInt64LE(BigInt(start), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(ZIP64_LOCATOR, 0);
      locator.writeBigUInt64LE(BigInt(end), 8);
      locator.writeUInt32LE(1, 16);
      tail.push(record, locator);
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
    eocd.writeUInt16LE(zip64 ? MAX16 : entries.length, 8);
    eocd.writeUInt16LE(zip64 ? MAX16 : entries.length, 10);
    eocd.writeUInt32LE(zip64 ? MAX32 : directory.length, 12);
    eocd.writeUInt32LE(zip64 ? MAX32 : start, 16);
    return Buffer.concat([directory, ...tail, eocd]);
  }
}

/** The ZIP64 extended information extra field (0x0001) with the given 8-byte values. */
function zip64Extra(values: readonly number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

function dataDescriptor(entry: Written, zip64: boolean): Buffer {
  const b = Buffer.alloc(zip64 ? 24 : 16);
  b.writeUInt32LE(DATA_DESCRIPTOR, 0);
  b.writeUInt32LE(entry.crc >>> 0, 4);
  if (zip64) {
    b.writeBigUInt64LE(BigInt(entry.compressedSize), 8);
    b.writeBigUInt64LE(BigInt(entry.size), 16);
  } else {
    b.writeUInt32LE(entry.compressedSize, 8);
    b.writeUInt32LE(entry.size, 12);
  }
  return b;
}

/** MS-DOS date and time (2-second resolution, years 1980-2107), from the UTC fields. */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

interface Output {
  position: number;
  readonly canPatch: boolean;
  write(data: Buffer): Promise<void>;
  patch(position: number, data: Buffer): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

/** A file written in sequence, headers completed in place. */
class FileOutput implements Output {
  position = 0;
  readonly canPatch = true;
  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<FileOutput> {
    try {
      return new FileOutput(path, await open(path, 'w'));
    } catch (cause) {
      throw new AsiceError('ZIP_WRITE_FAILED', `cannot write ${path}: ${String(cause)}`, { cause });
    }
  }

  async write(data: Buffer): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done, this.position + done);
      done += bytesWritten;
    }
    this.position += data.length;
  }

  async patch(position: number, data: Buffer): Promise<void> {
    await this.handle.write(data, 0, data.length, position);
  }

  async finish(): Promise<void> {
    await this.handle.close();
  }

  /** No half-written container left behind. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

/** A non-seekable output: sequential writes with backpressure. */
class StreamOutput implements Output {
  position = 0;
  readonly canPatch = false;
  private failed: Error | undefined;

  constructor(private readonly sink: Writable) {
    sink.on('error', (err: Error) => (this.failed ??= err));
  }

  async write(data: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    this.position += data.length;
    if (!this.sink.write(data)) {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        this.sink.once('error', onError);
        this.sink.once('drain', () => {
          this.sink.off('error', onError);
          resolve();
        });
      });
    }
  }

  patch(): Promise<void> {
    return Promise.reject(new AsiceError('ZIP_WRITE_FAILED', 'a stream output cannot be patched'));
  }

  finish(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.sink.once('error', reject);
      this.sink.end(() => resolve());
    });
  }

  async abort(): Promise<void> {
    this.sink.destroy(new Error('ZIP writing abandoned'));
    await Promise.resolve();
  }
}
