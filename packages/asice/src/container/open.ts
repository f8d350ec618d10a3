/**
 * Opening an ASiC container: read the ZIP safely, decide the format from `mimetype`, classify
 * every entry, parse the manifest and the signatures. Whatever the DigiDoc validators refuse to
 * open is thrown as an AsiceError (the OPEN_ERROR class); everything else is left for
 * validation, which reports it as findings.
 */
import { open as openFile } from 'node:fs/promises';
import { AsiceError } from '../errors.js';
import { finding, type Finding } from '../validation/findings.js';
import { parseXadesSignature } from '../xades/parse.js';
import type { XadesSignature } from '../xades/model.js';
import { elementChildren, isNamed } from '../xml/dom.js';
import { NS } from '../xml/namespaces.js';
import { DEFAULT_XML_LIMITS, parseXml, type XmlLimits } from '../xml/parse.js';
import { parseXmlSignature } from '../xmldsig/signature.js';
import { ZipReader, type ZipEntryInfo, type ZipLimits, type ZipSource } from '../zip/read.js';
import { parseAsicManifest } from './asic-manifest.js';
import { parseManifest, type Manifest } from './manifest.js';
import { readMimetype } from './mimetype.js';
import type { ArchiveManifestFile, Container, DataFile, SignatureFile, TimeStampTokenFile } from './model.js';

export interface OpenOptions {
  zipLimits?: Partial<ZipLimits>;
  xmlLimits?: Partial<XmlLimits>;
}

type EntryKind =
  | 'mimetype'
  | 'manifest'
  | 'xades'
  | 'cades'
  | 'timestamp'
  | 'archive-manifest'
  | 'unsupported'
  | 'meta-inf'
  | 'directory'
  | 'data';

/** Which part of an ASiC container an entry name denotes (EN 319 162-1 clause 4.4 and A.1). */
export function classifyEntry(name: string): EntryKind {
  if (name.toLowerCase() === 'mimetype') return 'mimetype';
  if (name.endsWith('/')) return 'directory';
  if (!name.startsWith('META-INF/')) return 'data';
  const file = name.slice('META-INF/'.length);
  if (file.toLowerCase() === 'manifest.xml') return 'manifest';
  if (/signatures.*\.xml$/i.test(file)) return 'xades';
  if (/signature.*\.p7s$/i.test(file)) return 'cades';
  if (/timestamp.*\.tst$/i.test(file)) return 'timestamp';
  if (/^ASiCArchiveManifest.*\.xml$/i.test(file)) return 'archive-manifest';
  if (/^ASiCManifest.*\.xml$/i.test(file) || /^evidencerecord\.(ers|xml)$/i.test(file)) return 'unsupported';
  return 'meta-inf';
}

export async function openContainer(source: ZipSource, options: OpenOptions = {}): Promise<Container> {
  let zip: ZipReader;
  try {
    zip = await ZipReader.open(source, options.zipLimits);
  } catch (err) {
    if (err instanceof AsiceError && err.code === 'ZIP_INVALID' && (await looksLikeDdoc(source))) {
      throw new AsiceError(
        'CONTAINER_UNSUPPORTED_FORMAT',
        'DigiDoc DDOC (XML) containers are not supported',
        {
          cause: err,
        },
      );
    }
    throw err;
  }
  try {
    return await readContainer(zip, { ...DEFAULT_XML_LIMITS, ...options.xmlLimits });
  } catch (err) {
    zip.close();
    throw err;
  }
}

async function readContainer(zip: ZipReader, xmlLimits: XmlLimits): Promise<Container> {
  const byKind = new Map<EntryKind, ZipEntryInfo[]>();
  for (const entry of zip.entries) {
    const kind = classifyEntry(entry.name);
    byKind.set(kind, [...(byKind.get(kind) ?? []), entry]);
  }
  const of = (kind: EntryKind): ZipEntryInfo[] => byKind.get(kind) ?? [];
  const notices: Finding[] = [];

  // mimetype (digidoc4j accepts it anywhere in the ZIP; ASiC wants it first, stored, without extra field)
  const mimetypes = of('mimetype');
  if (mimetypes.length > 1) throw new AsiceError('CONTAINER_DUPLICATE_ENTRY', 'more than one mimetype entry');
  const mimetypeEntry = mimetypes[0];
  if (!mimetypeEntry) throw new AsiceError('CONTAINER_NOT_ASIC', 'not an ASiC container: no mimetype entry');
  const mimetype = readMimetype(await zip.readBytes(mimetypeEntry, 1024));
  if (!mimetype)
    throw new AsiceError('CONTAINER_MIMETYPE_INVALID', 'mimetype is not an ASiC-E or ASiC-S media type');
  if (mimetypeEntry.index !== 0 || mimetypeEntry.localHeaderOffset !== 0)
    notices.push(finding('MIMETYPE_NOT_FIRST'));
  if (mimetypeEntry.compressionMethod !== 0) notices.push(finding('MIMETYPE_COMPRESSED'));
  if (mimetypeEntry.centralExtraFieldLength > 0 || (await zip.localExtraFieldLength(mimetypeEntry)) > 0) {
    notices.push(finding('MIMETYPE_EXTRA_FIELD'));
  }
  if (!mimetype.exact) notices.push(finding('MIMETYPE_NOT_EXACT'));

  // manifest
  const manifests = of('manifest');
  if (manifests.length > 1)
    throw new AsiceError('CONTAINER_DUPLICATE_ENTRY', 'more than one META-INF/manifest.xml');
  let manifest: Manifest | undefined;
  if (manifests[0]) manifest = parseManifest(await zip.readBytes(manifests[0], xmlLimits.maxBytes));

  // data files
  const dataFiles: DataFile[] = [];
  const seen = new Map<string, string>();
  for (const entry of of('data')) {
    if (seen.has(entry.name))
      throw new AsiceError('CONTAINER_DUPLICATE_ENTRY', `duplicate data file ${entry.name}`);
    const folded = entry.name.toLowerCase();
    const other = [...seen.keys()].find((n) => n.toLowerCase() === folded);
    if (other) notices.push(finding('CASE_VARIANT_FILE_NAMES', `${other} and ${entry.name}`, entry.name));
    seen.set(entry.name, folded);
    const mediaType = manifest?.entries.find((e) => e.fullPath === entry.name)?.mediaType;
    dataFiles.push({
      name: entry.name,
      entry,
      size: entry.uncompressedSize,
      ...(mediaType !== undefined ? { mediaType } : {}),
    });
  }

  // signatures
  const signatureFiles: SignatureFile[] = [];
  for (const entry of of('xades')) {
    const bytes = await zip.readBytes(entry, xmlLimits.maxBytes);
    signatureFiles.push(readSignatureFile(entry, bytes, xmlLimits));
  }

  const timeStampTokens: TimeStampTokenFile[] = [];
  for (const entry of of('timestamp')) {
    timeStampTokens.push({ name: entry.name, entry, der: await zip.readBytes(entry, 1024 * 1024) });
  }
  const archiveManifests: ArchiveManifestFile[] = [];
  for (const entry of of('archive-manifest')) {
    const bytes = await zip.readBytes(entry, xmlLimits.maxBytes);
    archiveManifests.push({ name: entry.name, entry, bytes, manifest: parseAsicManifest(bytes) });
  }

  if (mimetype.format === 'ASiC-S') checkAsicsContent(dataFiles, signatureFiles, timeStampTokens);

  const signatures: XadesSignature[] = signatureFiles.flatMap((f) => f.signatures);
  return {
    format: mimetype.format,
    zip,
    ...(manifest ? { manifest } : {}),
    dataFiles,
    signatureFiles,
    timeStampTokens,
    archiveManifests,
    cadesSignatureFiles: of('cades').map((e) => e.name),
    unsupportedEntries: of('unsupported').map((e) => e.name),
    notices,
    signatures,
    close: () => zip.close(),
  };
}

/**
 * A signature file: asic:XAdESSignatures holding one or more ds:Signature. Anything the DigiDoc
 * validators cannot parse is an open error, as it is for them.
 */
function readSignatureFile(entry: ZipEntryInfo, bytes: Buffer, xmlLimits: XmlLimits): SignatureFile {
  const document = parseXml(bytes, xmlLimits);
  const root = document.documentElement!;
  if (!isNamed(root, NS.asic, 'XAdESSignatures') && !isNamed(root, NS.asicLegacy, 'XAdESSignatures')) {
    throw new AsiceError('XADES_MALFORMED', `${entry.name}: root element is not asic:XAdESSignatures`);
  }
  const children = elementChildren(root);
  if (children.length === 0) throw new AsiceError('XADES_MALFORMED', `${entry.name} holds no signature`);
  const signatures = children.map((el) => {
    const xml = parseXmlSignature(el);
    const signature = parseXadesSignature(xml, entry.name);
    assertDigiDocReadable(signature);
    return signature;
  });
  return { name: entry.name, entry, bytes, document, signatures };
}

/**
 * What the schema allows but the DigiDoc validators refuse to open: DSS reads one
 * EncapsulatedTimeStamp per time-stamp property ("More than one result for XPath").
 */
function assertDigiDocReadable(signature: XadesSignature): void {
  const unsigned = signature.qualifyingProperties.unsignedProperties;
  for (const ts of [...unsigned.signatureTimeStamps, ...unsigned.archiveTimeStamps]) {
    if (ts.tokens.length > 1) {
      throw new AsiceError(
        'XADES_MALFORMED',
        `${signature.file}: a ${ts.kind} holds ${ts.tokens.length} EncapsulatedTimeStamp elements`,
      );
    }
  }
}

/** ASiC-S (EN 319 162-1 4.3 and digidoc4j's AsicSContainerValidationUtils): one data file, in the root. */
function checkAsicsContent(
  dataFiles: readonly DataFile[],
  signatureFiles: readonly SignatureFile[],
  tokens: readonly TimeStampTokenFile[],
): void {
  const fail = (message: string): never => {
    throw new AsiceError('CONTAINER_ASICS_CONTENT', message);
  };
  for (const file of dataFiles)
    if (file.name.includes('/')) fail(`ASiC-S data file ${file.name} is in a folder`);
  if (signatureFiles.length > 0 && tokens.length > 0) {
    fail('an ASiC-S container cannot hold signatures and time-stamp tokens together');
  }
  if ((signatureFiles.length > 0 || tokens.length > 0) && dataFiles.length !== 1) {
    fail(
      `a signed or time-stamped ASiC-S container must hold exactly one data file, not ${dataFiles.length}`,
    );
  }
  if (dataFiles.length > 1) fail('an ASiC-S container cannot hold more than one data file');
}

/** A DDOC is an XML file whose root is SignedDoc (DigiDoc 1.3); recognised only to say it is unsupported. */
async function looksLikeDdoc(source: ZipSource): Promise<boolean> {
  let head: Buffer;
  if (source instanceof Uint8Array) head = Buffer.from(source.subarray(0, 4096));
  else {
    const handle = await openFile(source.path, 'r').catch(() => undefined);
    if (!handle) return false;
    try {
      const buffer = Buffer.alloc(4096);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  return /^(\uFEFF)?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<SignedDoc[\s>]/.test(head.toString('utf8'));
}
