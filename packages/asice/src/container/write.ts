/**
 * Writing ASiC-E containers (EN 319 162-1 4.4, A.1): `mimetype` first, stored, without extra
 * field; then the manifest, the data files (streamed in, never held in memory) and the signature
 * files. Adding a signature copies every existing entry's content byte for byte, so existing
 * signatures stay exactly as they were.
 */
import { open, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { AsiceError } from '../errors.js';
import { parseXmlSignature } from '../xmldsig/signature.js';
import type { HashName } from '../xmldsig/algorithms.js';
import { parseXml } from '../xml/parse.js';
import { elementChildren } from '../xml/dom.js';
import { parseXadesSignature } from '../xades/parse.js';
import { signedEntries } from '../validation/container-checks.js';
import type { ZipSource } from '../zip/read.js';
import { ZipWriter, type ChunkSource } from '../zip/write.js';
import { buildManifest } from './manifest.js';
import { MIMETYPE_ASICE } from './mimetype.js';
import { openContainer, classifyEntry, type OpenOptions } from './open.js';
import type { DataFileDigest } from '../signing/prepare.js';

/** Where a data file's content comes from: memory, a file, or a stream opened when needed. */
export type DataFileSource =
  Uint8Array | { readonly path: string } | { readonly open: () => ChunkSource | Promise<ChunkSource> };

export interface DataFileInput {
  /** Name inside the container (a safe relative path outside META-INF/). */
  readonly name: string;
  readonly mediaType: string;
  readonly content: DataFileSource;
}

function openSource(source: DataFileSource): ChunkSource | Promise<ChunkSource> {
  if (source instanceof Uint8Array) return Readable.from([Buffer.from(source)]);
  if ('path' in source) return readFileChunks(source.path);
  return source.open();
}

/**
 * A file's content in chunks read into one reused buffer: a GiB streams through a few hundred KB
 * instead of leaving a GiB of chunk buffers for the garbage collector (which keeps peak RSS of
 * signing a large file flat). Each chunk is valid until the next is asked for.
 */
async function* readFileChunks(path: string, chunkSize = 256 * 1024): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkSize);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** Digest of a data file's content, streamed. */
export async function digestDataFile(source: DataFileSource, hash: HashName): Promise<Uint8Array> {
  const h = createHash(hash);
  for await (const chunk of await openSource(source)) h.update(chunk);
  return new Uint8Array(h.digest());
}

export interface WriteContainerOptions {
  readonly dataFiles: readonly DataFileInput[];
  /** Signature file contents, stored as META-INF/signatures0.xml, signatures1.xml, ... */
  readonly signatures?: readonly Uint8Array[];
  /** Modification time written to every entry. */
  readonly mtime: Date;
  /**
   * Deflate data files: `true`, `false`, or `'auto'` (the default): deflate, except files of more
   * than 32 MiB and formats that are compressed already, where deflating costs far more time than
   * it saves space (a GiB takes seconds to hash and store, tens of seconds to deflate).
   */
  readonly compress?: boolean | 'auto';
}

const AUTO_COMPRESS_LIMIT = 32 * 1024 * 1024;
const COMPRESSED_MEDIA_TYPE =
  /^(image\/(jpeg|png|gif|webp)|video\/|audio\/|application\/(zip|gzip|x-7z-compressed|vnd\.etsi\.asic-[es]\+zip|vnd\.openxmlformats-officedocument\..*|vnd\.oasis\.opendocument\..*))$/;

async function shouldCompress(file: DataFileInput, policy: boolean | 'auto' | undefined): Promise<boolean> {
  if (policy !== undefined && policy !== 'auto') return policy;
  if (COMPRESSED_MEDIA_TYPE.test(file.mediaType)) return false;
  const content = file.content;
  if (content instanceof Uint8Array) return content.byteLength <= AUTO_COMPRESS_LIMIT;
  if ('path' in content) return (await stat(content.path)).size <= AUTO_COMPRESS_LIMIT;
  return true;
}

export async function writeContainer(
  target: string | Writable,
  options: WriteContainerOptions,
): Promise<void> {
  const writer = await startContainer(options);
  (options.signatures ?? []).forEach((xml, i) => writer.addBytes(`META-INF/signatures${i}.xml`, xml));
  await writer.writeTo(target);
}

export interface WriteSignedContainerOptions extends Omit<WriteContainerOptions, 'signatures'> {
  /** The digest the signature's references use (default sha256). */
  readonly digest?: HashName;
  /**
   * Called once the data files have been written, with their digests taken on the way: returns
   * the signature file(s). Signing a new container thus reads every data file once.
   */
  readonly sign: (digests: readonly DataFileDigest[]) => Promise<readonly Uint8Array[]>;
}

/**
 * A new container signed in one pass over the data: each data file is digested as it streams
 * into the ZIP, and the signature (time-stamp and OCSP included) is made while the archive is
 * still open, then written after the data files. If signing fails, nothing is left at `target`.
 */
export async function writeSignedContainer(
  target: string | Writable,
  options: WriteSignedContainerOptions,
): Promise<void> {
  const hash = options.digest ?? 'sha256';
  const digests = options.dataFiles.map(() => {
    let settle!: { resolve: (d: Uint8Array) => void; reject: (e: unknown) => void };
    const promise = new Promise<Uint8Array>((resolve, reject) => (settle = { resolve, reject }));
    promise.catch(() => undefined); // observed below; never an unhandled rejection
    return { promise, ...settle };
  });
  const writer = await startContainer(options, (index, source) =>
    (async function* digesting(): AsyncGenerator<Uint8Array> {
      const h = createHash(hash);
      try {
        for await (const chunk of source) {
          h.update(chunk);
          yield chunk;
        }
      } catch (err) {
        digests[index]!.reject(err);
        throw err;
      }
      digests[index]!.resolve(new Uint8Array(h.digest()));
    })(),
  );
  await writer.writeTo(target, async () => {
    const values = await Promise.all(digests.map((d) => d.promise));
    const signatures = await options.sign(
      options.dataFiles.map((f, i) => ({ name: f.name, mediaType: f.mediaType, digest: values[i]! })),
    );
    signatures.forEach((xml, i) => writer.addBytes(`META-INF/signatures${i}.xml`, xml));
  });
}

/** mimetype, manifest and data files added (streamed when the writer gets to them). */
async function startContainer(
  options: WriteContainerOptions,
  tap?: (index: number, source: ChunkSource) => ChunkSource,
): Promise<ZipWriter> {
  const writer = new ZipWriter(options.mtime);
  for (const file of options.dataFiles) {
    const kind = classifyEntry(file.name);
    if (kind !== 'data') {
      throw new AsiceError(
        'SIGNING_BAD_INPUT',
        `${file.name} cannot be a data file (reserved or a folder name)`,
      );
    }
  }
  const compress = await Promise.all(options.dataFiles.map((f) => shouldCompress(f, options.compress)));
  writer.addStored('mimetype', Buffer.from(MIMETYPE_ASICE, 'ascii'));
  writer.addBytes(
    'META-INF/manifest.xml',
    buildManifest(
      MIMETYPE_ASICE,
      options.dataFiles.map((f) => ({ fullPath: f.name, mediaType: f.mediaType })),
    ),
  );
  options.dataFiles.forEach((file, index) => {
    writer.addStream(
      file.name,
      async () => {
        const source = await openSource(file.content);
        return tap ? tap(index, source) : source;
      },
      {
        ...(file.content instanceof Uint8Array ? { size: file.content.byteLength } : {}),
        compress: compress[index]!,
      },
    );
  });
  return writer;
}

export interface AddSignatureOptions extends OpenOptions {
  readonly mtime: Date;
}

/**
 * Writes `source` with one more signature file to `target`. The new signature must cover exactly
 * the container's data files; existing entries are copied with their content unchanged.
 */
export async function addSignature(
  source: ZipSource,
  target: string | Writable,
  signatureFile: Uint8Array,
  options: AddSignatureOptions,
): Promise<{ readonly name: string }> {
  if (typeof target === 'string' && !(source instanceof Uint8Array) && source.path === target) {
    throw new AsiceError('SIGNING_BAD_INPUT', 'cannot write a container onto itself while reading it');
  }
  const container = await openContainer(source, options);
  try {
    if (container.format !== 'ASiC-E') {
      throw new AsiceError('SIGNING_BAD_INPUT', 'signatures can be added to ASiC-E containers only');
    }
    checkCoversDataFiles(
      signatureFile,
      container.dataFiles.map((f) => f.name),
    );
    const taken = new Set(container.zip.entries.map((e) => e.name));
    let index = container.signatureFiles.length;
    while (taken.has(`META-INF/signatures${index}.xml`)) index++;
    const name = `META-INF/signatures${index}.xml`;

    const writer = new ZipWriter(options.mtime);
    for (const entry of container.zip.entries) {
      if (entry.isDirectory) continue;
      if (classifyEntry(entry.name) === 'mimetype') {
        writer.addStored('mimetype', Buffer.from(MIMETYPE_ASICE, 'ascii'));
        continue;
      }
      writer.addStream(entry.name, () => container.zip.openStream(entry), {
        size: entry.uncompressedSize,
        compress: entry.compressionMethod !== 0,
      });
    }
    writer.addBytes(name, signatureFile);
    await writer.writeTo(target);
    return { name };
  } finally {
    container.close();
  }
}

function checkCoversDataFiles(signatureFile: Uint8Array, dataFiles: readonly string[]): void {
  const root = parseXml(signatureFile).documentElement!;
  for (const el of elementChildren(root)) {
    const signature = parseXadesSignature(parseXmlSignature(el), 'new signature');
    const signed = new Set(signedEntries(signature).map((e) => e.name));
    const expected = new Set(dataFiles);
    if (signed.size !== expected.size || [...expected].some((n) => !signed.has(n))) {
      throw new AsiceError(
        'SIGNING_BAD_INPUT',
        `the new signature covers [${[...signed].join(', ')}], the container holds [${dataFiles.join(', ')}]`,
      );
    }
  }
}

/**
 * Writes `source` with more data files. Once a container is signed its data files are fixed:
 * every signature covers all of them, so adding one would leave it unsigned (CONTAINER_SIGNED).
 */
export async function addDataFiles(
  source: ZipSource,
  target: string | Writable,
  files: readonly DataFileInput[],
  options: AddSignatureOptions,
): Promise<void> {
  const container = await openContainer(source, options);
  try {
    if (container.signatureFiles.length > 0 || container.timeStampTokens.length > 0) {
      throw new AsiceError(
        'CONTAINER_SIGNED',
        'the container is signed: data files can no longer be added, removed or changed (create a new container)',
      );
    }
    if (container.format !== 'ASiC-E')
      throw new AsiceError('SIGNING_BAD_INPUT', 'data files can be added to ASiC-E containers only');
    const existing: DataFileInput[] = container.dataFiles.map((f) => ({
      name: f.name,
      mediaType: f.mediaType ?? 'application/octet-stream',
      content: { open: () => container.zip.openStream(f.entry) },
    }));
    const names = new Set(existing.map((f) => f.name));
    for (const file of files) {
      if (names.has(file.name))
        throw new AsiceError('SIGNING_BAD_INPUT', `${file.name} is already in the container`);
      names.add(file.name);
    }
    await writeContainer(target, { dataFiles: [...existing, ...files], mtime: options.mtime });
  } finally {
    container.close();
  }
}
