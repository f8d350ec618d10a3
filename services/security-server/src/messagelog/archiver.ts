import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import { ZipFile } from 'yazl';
import { asBytes } from '@riik/storage';
import type { Durable } from '../db/durability.js';
import type { SecurityServerDatabase } from '../db/schema.js';
import { asicContainer } from './asic.js';

/*
 * Message log archives as X-Road's archiver writes them (LogArchiveWriter, LinkingInfoBuilder): a ZIP
 * of ASiC containers, one per time-stamped record, named `<query id>-<request|response>-<id base32>.asice`,
 * and a `linkinginfo` entry chaining the archives together. Its first line is
 * `<previous archive's last digest or -> <previous archive's file name or -> SHA512`; then, for each
 * container in order, `<digest> <name>`, where
 *
 *   digest_i = hex(SHA-512(UTF-8(digest_{i-1} + hex(SHA-512(container_i)))))
 *
 * starting from the previous archive's last digest ('' for the first archive). Changing, removing,
 * reordering or inserting a container — in this archive or an earlier one — breaks the chain.
 */

export const LINKING_INFO = 'linkinginfo';
export const LINKING_DIGEST = 'SHA512';

export function chainDigest(previousHex: string, containerDigest: Uint8Array): string {
  return createHash('sha512')
    .update(previousHex + Buffer.from(containerDigest).toString('hex'), 'utf8')
    .digest('hex');
}

export function containerName(messageId: string, response: boolean, id: number): string {
  const safe = messageId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 226);
  return `${safe}-${response ? 'response' : 'request'}-${id.toString(32)}.asice`;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The body of a record as a stream: inline, or chunk rows read one at a time. */
function bodyStream(
  db: Kysely<SecurityServerDatabase>,
  id: number,
  inline: Uint8Array | null,
  length: number,
): Readable | null {
  if (length === 0) return null;
  if (inline) return Readable.from([Buffer.from(asBytes(inline))]);
  return Readable.from(
    (async function* () {
      for (let seq = 0; ; seq++) {
        const row = await db
          .selectFrom('message_body_chunks')
          .select('chunk')
          .where('record_id', '=', id)
          .where('seq', '=', seq)
          .executeTakeFirst();
        if (!row) return;
        yield Buffer.from(asBytes(row.chunk));
      }
    })(),
  );
}

export interface ArchiveOptions {
  dir: string;
  maxRecords: number;
  now: () => Date;
  /** Makes the archive bookkeeping durable (see WalSync); SQLite at synchronous = FULL needs none. */
  durable?: Durable;
}

/**
 * Move every time-stamped record that is not archived yet into archives of at most `maxRecords`
 * containers each. Returns the archive files written.
 */
export async function archiveMessageLog(
  db: Kysely<SecurityServerDatabase>,
  options: ArchiveOptions,
): Promise<string[]> {
  mkdirSync(options.dir, { recursive: true });
  const written: string[] = [];
  for (;;) {
    const records = await db
      .selectFrom('message_log')
      .innerJoin('timestamps', 'timestamps.id', 'message_log.timestamp_id')
      .select([
        'message_log.id',
        'message_id',
        'response',
        'message_log.created_at',
        'header_part',
        'body',
        'body_length',
        'signature_xml',
        'message_log.hash_chain_result',
        'hash_chain',
        'ts_hash_chain',
        'timestamps.token',
        'timestamps.hash_chain_result as ts_result',
      ])
      .where('archived', '=', 0)
      .orderBy('message_log.id')
      .limit(options.maxRecords)
      .execute();
    if (records.length === 0) return written;
    const last = await db
      .selectFrom('archives')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const firstDigest = last?.last_digest ?? '';
    const lines = [`${last ? last.last_digest : '-'} ${last ? last.file_name : '-'} ${LINKING_DIGEST}`];
    let digest = firstDigest;

    const zip = new ZipFile();
    const tmp = join(options.dir, `tmp-mlog-${randomBytes(6).toString('hex')}.tmp`);
    const done = pipeline(zip.outputStream, createWriteStream(tmp));
    // Containers are added one at a time, each when the previous one has been written, so only one
    // is ever being built; the linking info, known only at the end, is added last.
    const fail = (err: unknown) =>
      (zip.outputStream as unknown as Readable).destroy(err instanceof Error ? err : new Error(String(err)));
    const addNext = (i: number): void => {
      if (i === records.length) {
        zip.addBuffer(Buffer.from(lines.join('\n') + '\n', 'utf8'), LINKING_INFO, { mtime: options.now() });
        zip.end();
        return;
      }
      const r = records[i]!;
      const name = containerName(r.message_id, r.response === 1, Number(r.id));
      const hash = createHash('sha512');
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
        flush(cb) {
          digest = chainDigest(digest, hash.digest());
          lines.push(`${digest} ${name}`);
          cb();
          setImmediate(() => addNext(i + 1));
        },
      });
      const container = asicContainer({
        headerPart: asBytes(r.header_part),
        body: bodyStream(db, Number(r.id), r.body, Number(r.body_length)),
        signatureXml: r.signature_xml,
        hashChainResult: r.hash_chain_result,
        hashChain: r.hash_chain,
        timestampToken: asBytes(r.token),
        tsHashChainResult: r.ts_result,
        tsHashChain: r.ts_hash_chain ?? '',
        createdAt: new Date(Number(r.created_at)),
      });
      container.on('error', fail);
      tap.on('error', fail);
      zip.addReadStream(container.pipe(tap), name, {
        mtime: new Date(Number(r.created_at)),
        compress: false,
      });
    };
    addNext(0);
    try {
      await done;
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    const first = new Date(Number(records[0]!.created_at));
    const lastAt = new Date(Number(records.at(-1)!.created_at));
    const file = `mlog-${stamp(first)}-${stamp(lastAt)}-${digest.slice(0, 16)}.zip`;
    renameSync(tmp, join(options.dir, file));
    const ids = records.map((r) => Number(r.id));
    await db.transaction().execute(async (trx) => {
      const prev = await trx
        .selectFrom('archives')
        .select((eb) => [eb.fn.max('id').as('max')])
        .executeTakeFirst();
      await trx
        .insertInto('archives')
        .values({
          id: Number(prev?.max ?? 0) + 1,
          file_name: file,
          last_digest: digest,
          created_at: options.now().getTime(),
          records: ids.length,
        })
        .execute();
      for (let i = 0; i < ids.length; i += 500)
        await trx
          .updateTable('message_log')
          .set({ archived: 1 })
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
    });
    await options.durable?.();
    written.push(join(options.dir, file));
  }
}
