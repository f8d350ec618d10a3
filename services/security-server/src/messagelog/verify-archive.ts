import { createHash } from 'node:crypto';
import { fromBuffer, open, type Entry, type ZipFile } from 'yauzl';
import { bytesEqual } from '@riik/core';
import { buildChain } from '@riik/pki';
import {
  MessageFileNames,
  SignatureError,
  verifyHashChain,
  verifyMessageSignature,
  type VerifiedSignature,
} from '@riik/xroad';
import { ASIC_MIMETYPE, AsicEntry } from './asic.js';
import { chainDigest, LINKING_DIGEST, LINKING_INFO } from './archiver.js';
import { sha512, TspError, verifyToken, type TsaTrust } from './tsp-client.js';

/*
 * Offline verification of a message log archive (`riik xroad verify-log ARCHIVE`): the linking-info
 * hash chain over the containers, as X-Road's messagelog-archive-verifier checks it, and every ASiC
 * container as X-Road's asicverifier does — the message signature over the logged bytes (with its
 * hash chain for batch signatures), and the time-stamp over the signature (with its hash chain) —
 * with the signer's and the TSA's certificates checked against the given trust anchors.
 */

export interface ContainerReport {
  name: string;
  ok: boolean;
  error?: string;
  signer?: string;
  signingTime?: string;
  timestamp?: string;
  tsa?: string;
}

export interface ArchiveReport {
  ok: boolean;
  file: string;
  /** The linking info's previous digest ('' for the first archive) and file. */
  previousDigest: string;
  previousFile: string;
  /** The digest the next archive must start from. */
  lastDigest: string;
  containers: ContainerReport[];
  errors: string[];
}

const MAX_ENTRY = 2 * 1024 * 1024 * 1024;

function readEntry(zip: ZipFile, entry: Entry, limit = MAX_ENTRY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (entry.uncompressedSize > limit) return reject(new Error(`${entry.fileName} is too large`));
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error('cannot read entry'));
      const chunks: Buffer[] = [];
      let n = 0;
      stream.on('data', (c: Buffer) => {
        n += c.length;
        if (n > limit) stream.destroy(new Error(`${entry.fileName} is too large`));
        else chunks.push(c);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks, n)));
    });
  });
}

/** Every entry of a ZIP, in order, read with `handle`. */
function eachEntry(zip: ZipFile, handle: (entry: Entry) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      handle(entry).then(
        () => zip.readEntry(),
        (err: unknown) => {
          zip.close();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
}

/**
 * Check one ASiC container (its bytes) against trust anchors: the signer's certificate and the TSA's
 * must chain to them (at signing time and at the time-stamp's time).
 */
export async function verifyAsicContainer(
  bytes: Buffer,
  trust: TsaTrust,
): Promise<Omit<ContainerReport, 'name'>> {
  const entries = new Map<string, Buffer>();
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    fromBuffer(bytes, { lazyEntries: true, strictFileNames: true }, (err, z) =>
      err || !z ? reject(err ?? new Error('not a ZIP')) : resolve(z),
    ),
  );
  await eachEntry(zip, async (entry) => {
    if (entries.has(entry.fileName)) throw new Error(`duplicate entry ${entry.fileName}`);
    entries.set(entry.fileName, await readEntry(zip, entry));
  });
  const need = (name: string) => {
    const e = entries.get(name);
    if (!e) throw new Error(`missing ${name}`);
    return e;
  };
  if (need(AsicEntry.mimetype).toString('utf8') !== ASIC_MIMETYPE) throw new Error('wrong mimetype');
  const message = need(AsicEntry.message);
  const body = entries.get(AsicEntry.attachment1);
  const signatureXml = need(AsicEntry.signature).toString('utf8');
  const sigResult = entries.get(AsicEntry.sigHashChainResult)?.toString('utf8');
  const sigChain = entries.get(AsicEntry.sigHashChain)?.toString('utf8');
  const verified: VerifiedSignature = verifyMessageSignature(
    {
      signatureXml,
      ...(sigResult ? { hashChainResult: sigResult } : {}),
      ...(sigChain ? { hashChain: sigChain } : {}),
    },
    { message: sha512(message), attachments: body ? [sha512(body)] : [] },
  );
  const tsResult = need(AsicEntry.tsHashChainResult).toString('utf8');
  const tsChain = need(AsicEntry.tsHashChain).toString('utf8');
  verifyHashChain(
    tsResult,
    tsChain,
    MessageFileNames.tsHashChain,
    new Map([[MessageFileNames.signature, { hash: 'SHA-512' as const, value: sha512(signatureXml) }]]),
  );
  const chain = buildChain(verified.certificate, trust.anchors, trust.intermediates, verified.signingTime);
  if (!chain.valid) throw new Error(`signer certificate: ${chain.message}`);
  const ts = await verifyToken(need(AsicEntry.timestamp), sha512(tsResult), trust);
  if (ts.genTime.getTime() < verified.signingTime.getTime() - 60_000)
    throw new Error('the time-stamp is older than the signature');
  const manifest = need(AsicEntry.asicManifest).toString('utf8');
  const digest = /<ds:DigestValue>([^<]+)<\/ds:DigestValue>/.exec(manifest)?.[1] ?? '';
  if (!bytesEqual(Buffer.from(digest, 'base64'), createHash('sha512').update(tsResult).digest()))
    throw new Error('ASiCManifest does not bind the time-stamp to its hash chain result');
  return {
    ok: true,
    signer: verified.certificate.subjectString,
    signingTime: verified.signingTime.toISOString(),
    timestamp: ts.genTime.toISOString(),
    tsa: ts.tsaCertificate.subjectString,
  };
}

/**
 * Verify an archive file: linking info against the containers, then each container. `previousDigest`
 * (the last digest of the archive before it) is checked when given.
 */
export async function verifyArchive(
  file: string,
  options: { previousDigest?: string; trust: TsaTrust },
): Promise<ArchiveReport> {
  const report: ArchiveReport = {
    ok: false,
    file,
    previousDigest: '',
    previousFile: '',
    lastDigest: '',
    containers: [],
    errors: [],
  };
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      open(file, { lazyEntries: true, strictFileNames: true }, (err, z) =>
        err || !z ? reject(err ?? new Error('not a ZIP')) : resolve(z),
      ),
    );
  } catch (err) {
    report.errors.push(`not a readable ZIP archive: ${(err as Error).message}`);
    return report;
  }
  const containers: Array<{ name: string; digest: Uint8Array; report: Omit<ContainerReport, 'name'> }> = [];
  let linking: string | undefined;
  try {
    await eachEntry(zip, async (entry) => {
      if (entry.fileName === LINKING_INFO) {
        linking = (await readEntry(zip, entry, 64 * 1024 * 1024)).toString('utf8');
        return;
      }
      if (!entry.fileName.endsWith('.asice')) {
        report.errors.push(`unexpected entry ${entry.fileName}`);
        return;
      }
      const bytes = await readEntry(zip, entry);
      let r: Omit<ContainerReport, 'name'>;
      try {
        r = await verifyAsicContainer(bytes, options.trust);
      } catch (err) {
        const reason =
          err instanceof SignatureError || err instanceof TspError
            ? `${err.code}: ${err.message}`
            : (err as Error).message;
        r = { ok: false, error: reason };
      }
      containers.push({ name: entry.fileName, digest: sha512(bytes), report: r });
    });
  } catch (err) {
    report.errors.push(`the archive cannot be read: ${(err as Error).message}`);
  }
  report.containers = containers.map((c) => ({ name: c.name, ...c.report }));
  if (!linking) report.errors.push('the archive has no linkinginfo');
  else {
    const lines = linking.split(/\r?\n/).filter((l) => l.length > 0);
    const [prevDigest, prevFile, algorithm] = (lines[0] ?? '').split(/\s+/);
    report.previousDigest = prevDigest === '-' || prevDigest === undefined ? '' : prevDigest;
    report.previousFile = prevFile === '-' || prevFile === undefined ? '' : prevFile;
    if (algorithm !== LINKING_DIGEST) report.errors.push(`unsupported linking digest ${algorithm ?? ''}`);
    if (options.previousDigest !== undefined && options.previousDigest !== report.previousDigest)
      report.errors.push(
        `the archive does not continue from ${options.previousDigest} (it starts from ${report.previousDigest || '-'})`,
      );
    const listed = lines.slice(1).map((l) => {
      const [digest, name] = l.split(/\s+/);
      return { digest: digest ?? '', name: name ?? '' };
    });
    if (listed.length !== containers.length || listed.some((l, i) => l.name !== containers[i]!.name))
      report.errors.push('the containers in the archive are not the ones the linking info lists, in order');
    let digest = report.previousDigest;
    containers.forEach((c, i) => {
      digest = chainDigest(digest, c.digest);
      if (listed[i] && listed[i].digest !== digest)
        report.errors.push(`${c.name} does not match its linking digest`);
    });
    report.lastDigest = digest;
  }
  for (const c of report.containers) if (!c.ok) report.errors.push(`${c.name}: ${c.error ?? 'invalid'}`);
  if (containers.length === 0) report.errors.push('the archive holds no containers');
  report.ok = report.errors.length === 0;
  return report;
}
