import type { Kysely } from 'kysely';
import type { Logger } from '@riik/http';
import { Certificate } from '@riik/pki';
import { asBytes, prepareQuery } from '@riik/storage';
import {
  buildHashChains,
  MessageFileNames,
  XRoadFault,
  type GlobalConf,
  type XRoadErrorPrefix,
} from '@riik/xroad';
import type { SecurityServerConfig } from '../config.js';
import type { SecurityServerDatabase } from '../db/schema.js';
import type { MessageLog } from './log.js';
import { requestTimeStamp, sha512, TspError, type TsaTrust } from './tsp-client.js';

/** Records marked time-stamped per transaction. */
const UPDATE_SLICE = 64;

/**
 * Batch time-stamping of the message log (X-Road's Timestamper; BATCH-TS): on an interval — or
 * before every message is answered, in `immediate` mode — the records without a time-stamp are
 * hashed into a tree over their signatures (`/META-INF/signatures.xml` of each record's ASiC
 * container), one RFC 3161 time-stamp is requested over the tree's HashChainResult, and each record
 * stores the token's id and its own hash chain. Approved TSAs come from the global configuration;
 * the configured URLs (riik's own TSA) are tried first.
 */
export class Timestamper {
  private running: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  lastSuccess: Date | undefined;
  lastError: string | undefined;
  private readonly setTimestamp;

  constructor(
    private readonly db: Kysely<SecurityServerDatabase>,
    private readonly messageLog: MessageLog,
    private readonly config: SecurityServerConfig['timestamping'],
    private readonly gconf: () => GlobalConf | undefined,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {
    this.setTimestamp = prepareQuery(db, (v: { timestamp: number; chain: string; id: number }) =>
      db
        .updateTable('message_log')
        .set({ timestamp_id: v.timestamp, ts_hash_chain: v.chain })
        .where('id', '=', v.id),
    );
  }

  async init(): Promise<void> {
    const row = await this.db
      .selectFrom('timestamps')
      .select((eb) => [eb.fn.max('id').as('max')])
      .executeTakeFirst();
    this.nextId = Number(row?.max ?? 0) + 1;
  }

  start(): void {
    this.timer = setInterval(
      () => void this.run().catch(() => undefined),
      this.config.intervalSeconds * 1000,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Time-stamp what is pending now; runs are serialised. Resolves to the number of records stamped. */
  run(): Promise<number> {
    const next = (this.running ?? Promise.resolve(0)).catch(() => 0).then(() => this.stampPending());
    this.running = next;
    return next;
  }

  /** In immediate mode, make sure `recordId` is time-stamped before the message goes on. */
  async afterRecord(recordId: number, prefix: XRoadErrorPrefix): Promise<void> {
    if (!this.config.immediate) return;
    await this.run().catch(() => 0);
    const row = await this.db
      .selectFrom('message_log')
      .select('timestamp_id')
      .where('id', '=', recordId)
      .executeTakeFirst();
    if (row?.timestamp_id === null || row?.timestamp_id === undefined)
      throw new XRoadFault(
        `${prefix}.TimestampingFailed`,
        `the message could not be time-stamped: ${this.lastError ?? 'unknown error'}`,
      );
  }

  /**
   * The TSA must be certified by an approved CA as a time-stamping unit and, when the central server
   * lists approved TSAs, be one of them (riik accepts any TSA of an approved CA while the list is
   * empty; docs/xroad-compat.md).
   */
  private trusted(conf: GlobalConf): TsaTrust {
    return {
      anchors: conf.trustedCas.map((c) => c.top),
      intermediates: conf.trustedCas.flatMap((c) => c.intermediates),
      approved: conf.approvedTsas.map((t) => Certificate.fromDer(t.cert)),
    };
  }

  private async stampPending(): Promise<number> {
    const conf = this.gconf();
    const pending = await this.db
      .selectFrom('message_log')
      .select(['id', 'signature_hash'])
      .where('timestamp_id', 'is', null)
      .orderBy('id')
      .limit(this.config.batchMax)
      .execute();
    if (pending.length === 0) return 0;
    if (!conf) {
      this.lastError = 'no valid global configuration';
      return 0;
    }
    const built = buildHashChains(
      pending.map((p) => ({ parts: [asBytes(p.signature_hash)] })),
      {
        hash: 'SHA-512',
        chainFile: MessageFileNames.tsHashChain,
        dataFile: MessageFileNames.signature,
        allowSingle: true,
      },
    );
    const imprint = sha512(built.resultXml);
    const urls = [...new Set([...this.config.urls, ...conf.approvedTsas.map((t) => t.url)])];
    const errors: string[] = [];
    for (const url of urls) {
      try {
        const ts = await requestTimeStamp(url, imprint, this.trusted(conf));
        const id = this.nextId++;
        // The token with the first records, then the rest in slices with the event loop let run in
        // between: one transaction over a busy second's records (~50 µs each) would hold every
        // message of the server up for tens of milliseconds. Each record's chain stands alone, so
        // records a crash leaves without a time-stamp are simply stamped again by the next run.
        for (let from = 0; from < pending.length; from += UPDATE_SLICE) {
          await this.messageLog.writer.write(async (trx) => {
            if (from === 0)
              await trx
                .insertInto('timestamps')
                .values({
                  id,
                  created_at: ts.genTime.getTime(),
                  token: ts.token,
                  hash_chain_result: built.resultXml,
                  url,
                })
                .execute();
            for (let i = from; i < Math.min(pending.length, from + UPDATE_SLICE); i++)
              await trx.executeQuery(
                this.setTimestamp.compiled({ timestamp: id, chain: built.chains[i]!, id: pending[i]!.id }),
              );
          });
          await new Promise((resolve) => setImmediate(resolve));
        }
        await this.messageLog.refreshPending();
        this.lastSuccess = this.now();
        this.lastError = undefined;
        this.log.debug({ records: pending.length, url }, 'message log time-stamped');
        return pending.length;
      } catch (err) {
        if (!(err instanceof TspError)) throw err;
        errors.push(err.message);
      }
    }
    this.lastError = urls.length === 0 ? 'no time-stamping authority is configured' : errors.join('; ');
    this.log.warn({ pending: pending.length, error: this.lastError }, 'time-stamping failed');
    return 0;
  }
}
