import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
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
    try {
      if (source instanceof Uint8Array) {
        archiveSize = source.byteLength;
        zip = await yauzl.fromBufferPromise(
          Buffer.from(source.buffer, source.byteOffset, source.byteLength),
          options,
        );
      } else {
        archiveSize = (await stat(source.path)).size;
        zip = await yauzl.openPromise(source.path, options);
      }
    } catch (cause) {
      throw new AsiceError('ZIP_INVALID', `not a readable ZIP file: ${errorText(cause)}`, { cause });
    }
    try {
      const { entries, raw } = await readCentralDirectory(zip, lim, archiveSize);
      return new ZipReader(zip, raw, entries, archiveSize);
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
    return Buffer.concat(chunks);
  }

  /** The local file header's extra-field length (ASiC wants none on `mimetype`). */
  async localExtraFieldLength(entry: ZipEntryInfo): Promise<number> {
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
