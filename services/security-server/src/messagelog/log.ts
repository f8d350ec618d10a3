import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  XRoadFault,
  type SignatureData,
  type XRoadClientId,
  type XRoadErrorPrefix,
  type XRoadServiceId,
} from '@riik/xroad';
import { compiledInsert } from '../db/compiled.js';
import type { GroupWriter } from '../db/group-writer.js';
import type { SecurityServerDatabase } from '../db/schema.js';

/** Bodies up to this size are stored in the record row; larger ones in 1 MiB chunk rows. */
const INLINE_LIMIT = 1024 * 1024;
const CHUNK = 1024 * 1024;

/**
 * Collects a message body as it streams past, for the log: small bodies are kept for the record row,
 * large ones are written to chunk rows as they go, so memory stays bounded whatever the body size.
 */
export class BodyRecorder {
  private parts: Buffer[] = [];
  private buffered = 0;
  private seq = 0;
  length = 0;

  constructor(
    private readonly writer: GroupWriter,
    readonly recordId: number,
  ) {}

  async push(chunk: Buffer): Promise<void> {
    this.parts.push(chunk);
    this.buffered += chunk.length;
    this.length += chunk.length;
    if (this.length > INLINE_LIMIT && this.buffered >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffered === 0) return;
    const data = Buffer.concat(this.parts, this.buffered);
    this.parts = [];
    this.buffered = 0;
    const seq = this.seq++;
    const recordId = this.recordId;
    await this.writer.write(async (trx) => {
      await trx.insertInto('message_body_chunks').values({ record_id: recordId, seq, chunk: data }).execute();
    });
  }

  /** The body for the record row (null when it went to chunk rows, or there was none). */
  async finish(): Promise<Buffer | null> {
    if (this.length > INLINE_LIMIT) {
      await this.flush();
      return null;
    }
    return this.length === 0 ? null : Buffer.concat(this.parts, this.buffered);
  }

  /** Drop chunk rows of a message that was not completed. */
  async discard(): Promise<void> {
    if (this.seq === 0) return;
    const recordId = this.recordId;
    await this.writer.write(async (trx) => {
      await trx.deleteFrom('message_body_chunks').where('record_id', '=', recordId).execute();
    });
  }
}

export interface LogRecordInput {
  readonly messageId: string;
  readonly requestId: string;
  readonly response: boolean;
  readonly client: XRoadClientId;
  readonly service: XRoadServiceId;
  readonly headerPart: Uint8Array;
  readonly body: BodyRecorder;
  readonly signature: SignatureData;
}

/**
 * The message log: the exact signed bytes of every request and response that passes through, with
 * their signatures, in the security server's own database — written before the message is passed
 * on. The time-stamper stamps records in batches; while records wait too long for a time-stamp (the
 * grace period), the log stops accepting, and the proxies refuse messages with an X-Road error rather
 * than pass them on unlogged or unstamped.
 */
export class MessageLog {
  private nextId = 1;
  private oldestPending: number | undefined;
  private listeners: Array<(id: number) => void> = [];
  private readonly insertRecord;

  constructor(
    private readonly db: Kysely<SecurityServerDatabase>,
    readonly writer: GroupWriter,
    private readonly gracePeriodMs: number,
    private readonly now: () => Date,
  ) {
    this.insertRecord = compiledInsert(db, 'message_log', [
      'id',
      'message_id',
      'request_id',
      'response',
      'client',
      'service',
      'created_at',
      'header_part',
      'body',
      'body_length',
      'signature_xml',
      'hash_chain_result',
      'hash_chain',
      'signature_hash',
      'timestamp_id',
      'ts_hash_chain',
      'archived',
    ]);
  }

  async init(): Promise<void> {
    const row = await this.db
      .selectFrom('message_log')
      .select((eb) => [eb.fn.max('id').as('max')])
      .executeTakeFirst();
    this.nextId = Number(row?.max ?? 0) + 1;
    await this.refreshPending();
  }

  /** Re-read when the oldest record without a time-stamp was made. */
  async refreshPending(): Promise<void> {
    const row = await this.db
      .selectFrom('message_log')
      .select((eb) => [eb.fn.min('created_at').as('oldest')])
      .where('timestamp_id', 'is', null)
      .executeTakeFirst();
    this.oldestPending = row?.oldest === null || row?.oldest === undefined ? undefined : Number(row.oldest);
  }

  onRecord(listener: (id: number) => void): void {
    this.listeners.push(listener);
  }

  newRecordId(): number {
    return this.nextId++;
  }

  body(recordId: number): BodyRecorder {
    return new BodyRecorder(this.writer, recordId);
  }

  /** Why new messages are refused, or undefined when they are accepted. */
  refusal(): string | undefined {
    if (this.oldestPending === undefined) return undefined;
    const waited = this.now().getTime() - this.oldestPending;
    if (waited <= this.gracePeriodMs) return undefined;
    return `messages have waited ${Math.round(waited / 1000)} s for a time-stamp (limit ${Math.round(this.gracePeriodMs / 1000)} s); time-stamping is failing`;
  }

  checkAccepting(prefix: XRoadErrorPrefix): void {
    const why = this.refusal();
    if (why) throw new XRoadFault(`${prefix}.TimestampingFailed`, why);
  }

  /** Store a signed message; resolves once it is durable. */
  async record(recordId: number, input: LogRecordInput): Promise<void> {
    const body = await input.body.finish();
    const createdAt = this.now().getTime();
    const sig = input.signature;
    const insert = this.insertRecord({
      id: recordId,
      message_id: input.messageId,
      request_id: input.requestId,
      response: input.response ? 1 : 0,
      client: input.client.encode(),
      service: input.service.encode(),
      created_at: createdAt,
      header_part: input.headerPart,
      body,
      body_length: input.body.length,
      signature_xml: sig.signatureXml,
      hash_chain_result: sig.hashChainResult ?? null,
      hash_chain: sig.hashChain ?? null,
      signature_hash: new Uint8Array(createHash('sha512').update(sig.signatureXml, 'utf8').digest()),
      timestamp_id: null,
      ts_hash_chain: null,
      archived: 0,
    });
    await this.writer.write(async (trx) => {
      await trx.executeQuery(insert);
    });
    this.oldestPending ??= createdAt;
    for (const l of this.listeners) l(recordId);
  }
}
