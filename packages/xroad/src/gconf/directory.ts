import { bytesEqual, fromBase64, toBase64 } from '@riik/core';
import type { HashAlgorithm, Signer } from '@riik/keys';
import type { Certificate } from '@riik/pki';
import { digest, DIGEST_URI, digestOfUri, xmlSign, xmlVerify } from '../signature/algorithms.js';
import { SignatureError } from '../signature/errors.js';
import { boundaryOf, MultipartReader, newBoundary } from '../transport/multipart.js';
import { TransportError } from '../transport/errors.js';
import { GlobalConfError } from './errors.js';

/*
 * The signed configuration directory of PR-GCONF §2.3–2.4: a `multipart/related` of two parts, the
 * directory (a nested `multipart/mixed` whose first entry is header-only with Expire-date and Version,
 * then one entry per configuration file carrying the file's digest) and the signature over the body of
 * the first part.
 */

/** The configuration format version riik serves and reads (PR-GCONF §2.7). */
export const GCONF_VERSION = 2;

export const ContentIdentifier = {
  privateParameters: 'PRIVATE-PARAMETERS',
  sharedParameters: 'SHARED-PARAMETERS',
} as const;

export interface DirectoryEntry {
  /** PRIVATE-PARAMETERS, SHARED-PARAMETERS, or an installation-specific identifier. */
  readonly contentIdentifier: string;
  /** The `instance` parameter of Content-identifier. */
  readonly instance: string;
  /** Where to download the file; relative to the directory's URL. */
  readonly location: string;
  readonly fileName?: string;
  readonly hash: HashAlgorithm;
  readonly digest: Uint8Array;
}

export interface ConfigurationDirectory {
  readonly expireDate: Date;
  readonly version: number;
  readonly entries: ReadonlyArray<DirectoryEntry>;
}

const CRLF = '\r\n';
const MAX_DIRECTORY_BYTES = 1024 * 1024;

/** ISO 8601 in UTC without milliseconds, as the reference writes Expire-date. */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The directory entry for a file: its digest with `hash`. */
export function directoryEntry(
  contentIdentifier: string,
  instance: string,
  location: string,
  data: Uint8Array,
  fileName?: string,
  hash: HashAlgorithm = 'SHA-512',
): DirectoryEntry {
  return {
    contentIdentifier,
    instance,
    location,
    ...(fileName ? { fileName } : {}),
    hash,
    digest: digest(hash, data),
  };
}

/** Build and sign the directory. Returns the HTTP Content-Type and body. */
export async function buildSignedDirectory(
  directory: ConfigurationDirectory,
  signer: Signer,
  certificate: Certificate,
): Promise<{ contentType: string; body: Buffer }> {
  const inner = newBoundary();
  const outer = newBoundary();
  let dir = `--${inner}${CRLF}Expire-date: ${isoSeconds(directory.expireDate)}${CRLF}Version: ${directory.version}${CRLF}${CRLF}`;
  for (const e of directory.entries) {
    dir +=
      `${CRLF}--${inner}${CRLF}Content-type: application/octet-stream${CRLF}` +
      `Content-transfer-encoding: base64${CRLF}` +
      `Content-identifier: ${e.contentIdentifier}; instance="${e.instance}"${CRLF}` +
      `Content-location: ${e.location}${CRLF}` +
      (e.fileName ? `Content-file-name: ${e.fileName}${CRLF}` : '') +
      `Hash-algorithm-id: ${DIGEST_URI[e.hash]}${CRLF}${CRLF}${toBase64(e.digest)}`;
  }
  dir += `${CRLF}--${inner}--`;
  const signed = Buffer.from(dir, 'utf8');
  const { value, method } = await xmlSign(
    signer,
    signed,
    signer.keyAlgorithm === 'EC-P384' ? 'SHA-384' : 'SHA-256',
  );
  const certHash = digest('SHA-512', certificate.der);
  const body = Buffer.concat([
    Buffer.from(
      `--${outer}${CRLF}Content-Type: multipart/mixed; charset=UTF-8; boundary=${inner}${CRLF}${CRLF}`,
    ),
    signed,
    Buffer.from(
      `${CRLF}--${outer}${CRLF}Content-type: application/octet-stream${CRLF}Content-transfer-encoding: base64${CRLF}` +
        `Signature-algorithm-id: ${method}${CRLF}` +
        `Verification-certificate-hash: ${toBase64(certHash)}; hash-algorithm-id="${DIGEST_URI['SHA-512']}"${CRLF}${CRLF}` +
        `${toBase64(value)}${CRLF}--${outer}--${CRLF}`,
    ),
  ]);
  return { contentType: `multipart/related; charset=UTF-8; boundary=${outer}`, body };
}

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

function malformed(message: string, cause?: unknown): GlobalConfError {
  return new GlobalConfError('MALFORMED', message, cause === undefined ? undefined : { cause });
}

/** `value; name="x"` → { value, params }. */
function headerParams(header: string): { value: string; params: Map<string, string> } {
  const [value, ...rest] = header.split(';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const m = /^\s*([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^\s"]*))\s*$/.exec(p);
    if (m) params.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? '');
  }
  return { value: (value ?? '').trim(), params };
}

/**
 * Read a signed directory and verify its signature with one of `verificationCerts` (from the anchor).
 * Does not check expiry (the caller compares `expireDate` with its clock).
 */
export async function parseSignedDirectory(
  contentType: string | null | undefined,
  body: Uint8Array,
  verificationCerts: ReadonlyArray<Certificate>,
): Promise<ConfigurationDirectory> {
  if (body.byteLength > MAX_DIRECTORY_BYTES) throw malformed('configuration directory too large');
  const outerBoundary = boundaryOf(contentType);
  if (!outerBoundary) throw malformed('the configuration directory is not multipart');
  try {
    const outer = new MultipartReader(once(body), outerBoundary, { maxParts: 2 });
    const dirPart = await outer.nextPart();
    if (!dirPart || dirPart.contentType !== 'multipart/mixed')
      throw malformed('the first part must be multipart/mixed');
    const innerBoundary = boundaryOf(dirPart.headers.get('content-type'));
    if (!innerBoundary) throw malformed('the directory part has no boundary');
    const signed = await outer.readAll(MAX_DIRECTORY_BYTES);
    const sigPart = await outer.nextPart();
    if (!sigPart) throw malformed('the configuration directory is not signed');
    const method = sigPart.headers.get('signature-algorithm-id') ?? '';
    const certHashHeader = headerParams(sigPart.headers.get('verification-certificate-hash') ?? '');
    const signature = fromBase64((await outer.readAll(64 * 1024)).toString('latin1'));
    if ((await outer.nextPart()) !== null) throw malformed('unexpected parts after the signature');

    const certHashAlg = digestOfUri(certHashHeader.params.get('hash-algorithm-id') ?? '');
    const certHash = fromBase64(certHashHeader.value);
    const cert = verificationCerts.find((c) => bytesEqual(digest(certHashAlg, c.der), certHash));
    if (!cert)
      throw new GlobalConfError('INVALID_SIGNATURE', 'the directory is signed with an unknown certificate');
    if (!xmlVerify(cert.publicKey, method, signed, signature))
      throw new GlobalConfError('INVALID_SIGNATURE', 'the configuration directory signature does not verify');

    const inner = new MultipartReader(once(signed), innerBoundary, { maxParts: 256 });
    const head = await inner.nextPart();
    if (!head) throw malformed('empty directory');
    await inner.skip();
    const expire = head.headers.get('expire-date');
    const expireDate = new Date(expire ?? '');
    if (!expire || Number.isNaN(expireDate.getTime()))
      throw malformed('the directory has no valid Expire-date');
    const versionText = head.headers.get('version') ?? String(GCONF_VERSION);
    if (!/^\d{1,6}$/.test(versionText)) throw malformed('invalid Version');
    const entries: DirectoryEntry[] = [];
    for (let part = await inner.nextPart(); part; part = await inner.nextPart()) {
      if ((part.headers.get('content-transfer-encoding') ?? '').toLowerCase() !== 'base64')
        throw malformed('directory entries must be base64');
      const id = headerParams(part.headers.get('content-identifier') ?? '');
      const location = part.headers.get('content-location') ?? '';
      if (!location) throw malformed('directory entry without Content-location');
      const hash = digestOfUri(part.headers.get('hash-algorithm-id') ?? '');
      const value = fromBase64((await inner.readAll(4096)).toString('latin1'));
      const fileName = part.headers.get('content-file-name');
      entries.push({
        contentIdentifier: id.value,
        instance: id.params.get('instance') ?? '',
        location,
        ...(fileName ? { fileName } : {}),
        hash,
        digest: value,
      });
    }
    return { expireDate, version: Number(versionText), entries };
  } catch (err) {
    if (err instanceof GlobalConfError) throw err;
    if (err instanceof TransportError || err instanceof SignatureError || err instanceof TypeError)
      throw malformed(`unreadable configuration directory: ${err.message}`, err);
    throw err;
  }
}

/** Check a downloaded file against its directory entry. */
export function checkDirectoryEntry(entry: DirectoryEntry, data: Uint8Array): void {
  if (!bytesEqual(digest(entry.hash, data), entry.digest))
    throw new GlobalConfError('HASH_MISMATCH', `${entry.location} does not match the signed directory`);
}
