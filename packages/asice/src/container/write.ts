/**
 * Writing ASiC-E containers (EN 319 162-1 4.4, A.1): `mimetype` first, stored, without extra
 * field; then the manifest, the data files (streamed in, never held in memory) and the signature
 * files. Adding a signature copies every existing entry's content byte for byte, so existing
 * signatures stay exactly as they were.
 */
import { createReadStream } from 'node:fs';
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
import { ZipWriter } from '../zip/write.js';
import { buildManifest } from './manifest.js';
import { MIMETYPE_ASICE } from './mimetype.js';
import { openContainer, classifyEntry, type OpenOptions } from './open.js';

/** Where a data file's content comes from: memory, a file, or a stream opened when needed. */
export type DataFileSource =
  Uint8Array | { readonly path: string } | { readonly open: () => Readable | Promise<Readable> };

export interface DataFileInput {
  /** Name inside the container (a safe relative path outside META-INF/). */
  readonly name: string;
  readonly mediaType: string;
  readonly content: DataFileSource;
}

function openSource(source: DataFileSource): Readable | Promise<Readable> {
  if (source instanceof Uint8Array) return Readable.from([Buffer.from(source)]);
  if ('path' in source) return createReadStream(source.path);
  return source.open();
}

/** Digest of a data file's content, streamed. */
export async function digestDataFile(source: DataFileSource, hash: HashName): Promise<Uint8Array> {
  const h = createHash(hash);
  for await (const chunk of await openSource(source)) h.update(chunk as Buffer);
  return new Uint8Array(h.digest());
}

export interface WriteContainerOptions {
  readonly dataFiles: readonly DataFileInput[];
  /** Signature file contents, stored as META-INF/signatures0.xml, signatures1.xml, ... */
  readonly signatures?: readonly Uint8Array[];
  /** Modification time written to every entry. */
  readonly mtime: Date;
  /** Deflate data files (default true). */
  readonly compress?: boolean;
}

export async function writeContainer(
  target: string | Writable,
  options: WriteContainerOptions,
): Promise<void> {
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
  writer.addStored('mimetype', Buffer.from(MIMETYPE_ASICE, 'ascii'));
  writer.addBytes(
    'META-INF/manifest.xml',
    buildManifest(
      MIMETYPE_ASICE,
      options.dataFiles.map((f) => ({ fullPath: f.name, mediaType: f.mediaType })),
    ),
  );
  for (const file of options.dataFiles) {
    writer.addStream(file.name, () => openSource(file.content), {
      ...(file.content instanceof Uint8Array ? { size: file.content.byteLength } : {}),
      compress: options.compress ?? true,
    });
  }
  (options.signatures ?? []).forEach((xml, i) => writer.addBytes(`META-INF/signatures${i}.xml`, xml));
  await writer.writeTo(target);
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
