import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { toBase64 } from '@riik/core';
import { DIGEST_URI } from '@riik/xroad';

/*
 * The ASiC-E container of one logged message, with the entries X-Road's message log writes
 * (AsicContainerEntries; UG-SIGDOC): `mimetype` first and stored, `message.xml` (for REST the header
 * part), `attachment1` (the body), `META-INF/signatures.xml`, the signature's hash chain
 * (`sig-hashchainresult.xml`, `sig-hashchain.xml`) for batch signatures, the time-stamp's hash chain
 * (`ts-hashchainresult.xml`, `ts-hashchain.xml`) with the token in `META-INF/timestamp.tst` and an
 * `META-INF/ASiCManifest.xml` binding the token to the chain result, and the OpenDocument
 * `META-INF/manifest.xml`.
 */

export const ASIC_MIMETYPE = 'application/vnd.etsi.asic-e+zip';

export const AsicEntry = {
  mimetype: 'mimetype',
  message: 'message.xml',
  attachment1: 'attachment1',
  signature: 'META-INF/signatures.xml',
  sigHashChainResult: 'sig-hashchainresult.xml',
  sigHashChain: 'sig-hashchain.xml',
  tsHashChainResult: 'ts-hashchainresult.xml',
  tsHashChain: 'ts-hashchain.xml',
  timestamp: 'META-INF/timestamp.tst',
  manifest: 'META-INF/manifest.xml',
  asicManifest: 'META-INF/ASiCManifest.xml',
} as const;

export interface AsicRecord {
  readonly headerPart: Uint8Array;
  /** The body as a stream (chunks from the database), or null when the message had none. */
  readonly body: Readable | null;
  readonly signatureXml: string;
  readonly hashChainResult: string | null;
  readonly hashChain: string | null;
  readonly timestampToken: Uint8Array;
  readonly tsHashChainResult: string;
  readonly tsHashChain: string;
  readonly createdAt: Date;
}

function openDocumentManifest(hasBody: boolean): string {
  const entry = (path: string, type: string) =>
    `<manifest:file-entry manifest:full-path="${path}" manifest:media-type="${type}"/>`;
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>' +
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">' +
    entry('/', ASIC_MIMETYPE) +
    entry(AsicEntry.message, 'text/xml') +
    (hasBody ? entry(AsicEntry.attachment1, 'application/octet-stream') : '') +
    '</manifest:manifest>'
  );
}

function asicManifest(tsHashChainResult: string): string {
  const digest = toBase64(createHash('sha512').update(tsHashChainResult, 'utf8').digest());
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>' +
    '<asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">' +
    `<asic:SigReference MimeType="application/vnd.etsi.timestamp-token" URI="${AsicEntry.timestamp}"/>` +
    `<asic:DataObjectReference MimeType="text/xml" URI="${AsicEntry.tsHashChainResult}">` +
    `<ds:DigestMethod Algorithm="${DIGEST_URI['SHA-512']}"/><ds:DigestValue>${digest}</ds:DigestValue>` +
    '</asic:DataObjectReference></asic:ASiCManifest>'
  );
}

/** A readable stream of the container's ZIP bytes; the body streams through without being buffered. */
export function asicContainer(r: AsicRecord): Readable {
  const zip = new ZipFile();
  const opts = { mtime: r.createdAt };
  const add = (name: string, data: string | Uint8Array) => zip.addBuffer(Buffer.from(data), name, opts);
  zip.addBuffer(Buffer.from(ASIC_MIMETYPE), AsicEntry.mimetype, { ...opts, compress: false });
  add(AsicEntry.message, r.headerPart);
  add(AsicEntry.signature, r.signatureXml);
  if (r.hashChainResult && r.hashChain) {
    add(AsicEntry.sigHashChainResult, r.hashChainResult);
    add(AsicEntry.sigHashChain, r.hashChain);
  }
  add(AsicEntry.tsHashChainResult, r.tsHashChainResult);
  add(AsicEntry.tsHashChain, r.tsHashChain);
  add(AsicEntry.timestamp, r.timestampToken);
  add(AsicEntry.manifest, openDocumentManifest(r.body !== null));
  add(AsicEntry.asicManifest, asicManifest(r.tsHashChainResult));
  if (r.body) zip.addReadStream(r.body, AsicEntry.attachment1, { ...opts, compress: false });
  zip.end({ forceZip64Format: false, comment: `mimetype=${ASIC_MIMETYPE}` });
  return zip.outputStream as unknown as Readable;
}
