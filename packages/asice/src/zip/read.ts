import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { AsiceError } from '../errors.js';
import { decodeEntryName, isDirectoryName, unsafePathReason } from './names.js';

/**
 * Limits that keep a hostile ZIP from exhausting memory, disk or time.
 *
 * The bomb check follows digidoc4j (Configuration: ZIP_COMPRESSION_RATIO_CHECK_THRESHOLD_IN_BYTES
 * = 1 MiB, MAX_ALLOWED_ZIP_COMPRESSION_RATIO = 100): once the uncompressed total passes the
 * threshold it may be at most `maxCompressionRatio` times the archive size. It is applied to the
 * sizes the central directory declares, before anything is inflated; yauzl then enforces that
 * every entry inflates to exactly its declared size, so the declared sizes can be trusted.
 */
/** Deflated entries up to this size are inflated in one synchronous call. */
const SMALL_ENTRY = 1024 * 1024;

export interface ZipLimits {
  maxEntries: number;
  /** Largest uncompressed size of one entry. */
  maxEntrySize: number;
  /** Largest uncompressed size of all entries together. */
  maxTotalSize: number;
  ratioCheckThreshold: number;
  maxCompressionRatio: number;
}

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 10_000,
  maxEntrySize: 8 * 1024 ** 3,
  maxTotalSize: 16 * 1024 ** 3,
  ratioCheckThreshold: 1024 * 1024,
  maxCompressionRatio: 100,
});

/** A ZIP on disk (read with random access, never loaded whole) or in memory. */
export type ZipSource = { path: string } | Uint8Array;

export interface ZipEntryInfo {
  /** Decoded (UTF-8) name, validated as a safe relative path. */
  readonly name: string;
  /** Position in the central directory. */
  readonly index: number;
  readonly isDirectory: boolean;
  /** 0 = stored, 8 = deflated. */
  readonly compressionMethod: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  /** Length of the extra field in the central directory record. */
  readonly centralExtraFieldLength: number;
  readonly crc32: number;
}

/** Read access to a ZIP whose central directory has passed every limit and name check. */
export class ZipReader {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly raw: ReadonlyMap<ZipEntryInfo, yauzl.Entry>,
    readonly entries: readonly ZipEntryInfo[],
    readonly archiveSize: number,
    /** The whole archive, when it was given in memory. */
    private readonly memory?: Buffer,
  ) {}

  static async open(source: ZipSource, limits: Partial<ZipLimits> = {}): Promise<ZipReader> {
    const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
    const options: yauzl.Options = {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false, // names are decoded and validated here (see names.ts)
      validateEntrySizes: true,
    };
    let zip: yauzl.ZipFile;
    let archiveSize: number;
    let memory: Buffer | undefined;
    try {
      if (source instanceof Uint8Array) {
        archiveSize = source.byteLength;
        memory = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
        zip = await yauzl.fromBufferPromise(memory, options);
      } else {
        archiveSize = (await stat(source.path)).size;
        zip = await yauzl.openPromise(source.path, options);
      }
    } catch (cause) {
      throw new AsiceError('ZIP_INVALID', `not a readable ZIP file: ${errorText(cause)}`, { cause });
    }
    try {
      const { entries, raw } = await readCentralDirectory(zip, lim, archiveSize);
      return new ZipReader(zip, raw, entries, archiveSize, memory);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  close(): void {
    if (this.zip.isOpen) this.zip.close();
  }

  /** The decompressed content of an entry as a stream; yauzl errors out if it inflates to a size other than declared. */
  async openStream(entry: ZipEntryInfo): Promise<Readable> {
    try {
      return await this.zip.openReadStreamPromise(this.entryOf(entry));
    } catch (cause) {
      throw new AsiceError('ZIP_INVALID', `cannot read ZIP entry ${entry.name}: ${errorText(cause)}`, {
        cause,
      });
    }
  }

  /**
   * Feeds the decompressed content to `onChunk` piece by piece; memory use stays constant. The
   * CRC-32 is checked at the end (yauzl leaves that to us), as Java's ZIP reader does for digidoc4j.
   */
  async forEachChunk(entry: ZipEntryInfo, onChunk: (chunk: Buffer) => void): Promise<void> {
    const small = entry.uncompressedSize <= SMALL_ENTRY && entry.compressedSize <= SMALL_ENTRY;
    if (small && this.memory) {
      onChunk(this.readInMemory(entry, this.memory));
      return;
    }
    if (small && entry.compressionMethod === 8) {
      onChunk(await this.inflateSmall(entry));
      return;
    }
    const stream = await this.openStream(entry);
    let crc = 0;
    try {
      for await (const chunk of stream) {
        crc = crc32(chunk as Buffer, crc);
        onChunk(chunk as Buffer);
      }
    } catch (cause) {
      stream.destroy();
      throw new AsiceError('ZIP_INVALID', `corrupt ZIP entry ${entry.name}: ${errorText(cause)}`, { cause });
    }
    if (crc !== entry.crc32)
      throw new AsiceError('ZIP_INVALID', `CRC-32 mismatch in ZIP entry ${entry.name}`);
  }

  /**
   * A small deflated entry (manifest, signature files, short documents) inflated in one
   * synchronous call instead of through a zlib stream and the thread pool, which costs more than
   * the inflating. Inflating more than the declared size fails, as the streamed path does; so does
   * a CRC-32 mismatch.
   */
  private async inflateSmall(entry: ZipEntryInfo): Promise<Buffer> {
    let raw: Readable;
    try {
      raw = await this.zip.openReadStreamPromise(this.entryOf(entry), { decompress: false });
    } catch (cause) {
      throw new AsiceError('ZIP_INVALID', `cannot read ZIP entry ${entry.name}: ${errorText(cause)}`, {
        cause,
      });
    }
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of raw) chunks.push(chunk as Buffer);
    } catch (cause) {
      raw.destroy();
      throw new AsiceError('ZIP_INVALID', `corrupt ZIP entry ${entry.name}: ${errorText(cause)}`, { cause });
    }
    return checkedContent(entry, Buffer.concat(chunks));
  }

  /**
   * A small entry of an archive held in memory, read synchronously: the local header located
   * and checked as yauzl checks it (signature, data inside the archive), then the same
   * inflate-and-check as inflateSmall. Going through yauzl's streams and callbacks for a few
   * kilobytes already in memory cost ten times the inflating (validation reads four entries).
   */
  private readInMemory(entry: ZipEntryInfo, memory: Buffer): Buffer {
    this.entryOf(entry); // an entry of this archive, not of another
    const start = localDataStart(entry, memory);
    const content = checkedContent(entry, memory.subarray(start, start + entry.compressedSize));
    // a stored entry is a view of the caller's buffer: hand out a copy, as the other paths do
    return entry.compressionMethod === 0 ? Buffer.from(content) : content;
  }

  /** The whole decompressed content; refuses entries over `maxBytes` before inflating anything. */
  async readBytes(entry: ZipEntryInfo, maxBytes: number): Promise<Buffer> {
    if (entry.uncompressedSize > maxBytes) {
      throw new AsiceError(
        'ZIP_ENTRY_TOO_LARGE',
        `ZIP entry ${entry.name} is ${entry.uncompressedSize} bytes, more than the ${maxBytes} allowed here`,
      );
    }
    const chunks: Buffer[] = [];
    await this.forEachChunk(entry, (chunk) => chunks.push(chunk));
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  /** The local file header's extra-field length (ASiC wants none on `mimetype`). */
  async localExtraFieldLength(entry: ZipEntryInfo): Promise<number> {
    if (this.memory) {
      this.entryOf(entry);
      localDataStart(entry, this.memory);
      return this.memory.readUInt16LE(entry.localHeaderOffset + 28);
    }
    try {
      const header = await this.zip.readLocalFileHeaderPromise(this.entryOf(entry));
      return header.extraFieldLength;
    } catch (cause) {
      throw new AsiceError('ZIP_INVALID', `bad local header for ${entry.name}: ${errorText(cause)}`, {
        cause,
      });
    }
  }

  private entryOf(entry: ZipEntryInfo): yauzl.Entry {
    const raw = this.raw.get(entry);
    if (!raw) throw new AsiceError('ZIP_ENTRY_NOT_FOUND', `${entry.name} is not an entry of this ZIP`);
    return raw;
  }
}

/**
 * Where an entry's data begins in an archive held in memory, after the checks yauzl makes on the
 * local file header (APPNOTE 4.3.7): it is inside the archive, has the local header signature,
 * and the data it announces ends inside the archive.
 */
function localDataStart(entry: ZipEntryInfo, memory: Buffer): number {
  const offset = entry.localHeaderOffset;
  const bad = (why: string) => new AsiceError('ZIP_INVALID', `cannot read ZIP entry ${entry.name}: ${why}`);
  if (offset + 30 > memory.length) throw bad('unexpected EOF');
  const signature = memory.readUInt32LE(offset);
  if (signature !== 0x04034b50) throw bad(`invalid local file header signature: 0x${signature.toString(16)}`);
  const start = offset + 30 + memory.readUInt16LE(offset + 26) + memory.readUInt16LE(offset + 28);
  if (start + entry.compressedSize > memory.length)
    throw bad(`file data overflows file bounds: ${start} + ${entry.compressedSize} > ${memory.length}`);
  return start;
}

/**
 * An entry's content from its stored or deflated octets, held to the central directory: inflating
 * to more or less than the declared size fails (as yauzl's streams do), and so does a CRC-32
 * mismatch.
 */
function checkedContent(entry: ZipEntryInfo, raw: Buffer): Buffer {
  let data = raw;
  if (entry.compressionMethod === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (cause) {
      throw new AsiceError('ZIP_INVALID', `corrupt ZIP entry ${entry.name}: ${errorText(cause)}`, { cause });
    }
  }
  if (data.length !== entry.uncompressedSize)
    throw new AsiceError('ZIP_INVALID', `ZIP entry ${entry.name} does not inflate to its declared size`);
  if (crc32(data) !== entry.crc32)
    throw new AsiceError('ZIP_INVALID', `CRC-32 mismatch in ZIP entry ${entry.name}`);
  return data;
}

async function readCentralDirectory(
  zip: yauzl.ZipFile,
  lim: ZipLimits,
  archiveSize: number,
): Promise<{ entries: ZipEntryInfo[]; raw: Map<ZipEntryInfo, yauzl.Entry> }> {
  if (zip.entryCount > lim.maxEntries) {
    throw new AsiceError(
      'ZIP_TOO_MANY_ENTRIES',
      `ZIP has ${zip.entryCount} entries, limit ${lim.maxEntries}`,
    );
  }
  const entries: ZipEntryInfo[] = [];
  const raw = new Map<ZipEntryInfo, yauzl.Entry>();
  let total = 0;
  try {
    for await (const e of zip.eachEntry()) {
      const name = decodeEntryName(e.fileNameRaw);
      const reason = unsafePathReason(name);
      if (reason) {
        throw new AsiceError('ZIP_UNSAFE_PATH', `unsafe ZIP entry name ${JSON.stringify(name)}: ${reason}`);
      }
      if (e.isEncrypted()) throw new AsiceError('ZIP_ENCRYPTED', `ZIP entry ${name} is encrypted`);
      if (e.compressionMethod !== 0 && e.compressionMethod !== 8) {
        throw new AsiceError(
          'ZIP_UNSUPPORTED_COMPRESSION',
          `ZIP entry ${name} uses compression method ${e.compressionMethod}`,
        );
      }
      const isDirectory = isDirectoryName(name);
      if (isDirectory && e.uncompressedSize !== 0) {
        throw new AsiceError('ZIP_INVALID', `directory entry ${name} has content`);
      }
      if (e.uncompressedSize > lim.maxEntrySize) {
        throw new AsiceError(
          'ZIP_ENTRY_TOO_LARGE',
          `ZIP entry ${name} is ${e.uncompressedSize} bytes, limit ${lim.maxEntrySize}`,
        );
      }
      total += e.uncompressedSize;
      if (total > lim.maxTotalSize) {
        throw new AsiceError('ZIP_TOO_LARGE', `ZIP content exceeds ${lim.maxTotalSize} bytes`);
      }
      if (total > lim.ratioCheckThreshold && total > archiveSize * lim.maxCompressionRatio) {
        throw new AsiceError(
          'ZIP_BOMB',
          `ZIP bomb: ${total} bytes of content in a ${archiveSize}-byte archive (ratio limit ${lim.maxCompressionRatio})`,
        );
      }
      const info: ZipEntryInfo = Object.freeze({
        name,
        index: entries.length,
        isDirectory,
        compressionMethod: e.compressionMethod,
        compressedSize: e.compressedSize,
        uncompressedSize: e.uncompressedSize,
        localHeaderOffset: e.relativeOffsetOfLocalHeader,
        centralExtraFieldLength: e.extraFieldLength,
        crc32: e.crc32,
      });
      entries.push(info);
      raw.set(info, e);
    }
  } catch (cause) {
    if (cause instanceof AsiceError) throw cause;
    throw new AsiceError('ZIP_INVALID', `corrupt ZIP central directory: ${errorText(cause)}`, { cause });
  }
  return { entries, raw };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
