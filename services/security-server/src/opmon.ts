import type { CompiledQuery, Kysely } from 'kysely';
import { Counter, Histogram, type Registry } from 'prom-client';
import { compiledInsert } from './db/compiled.js';
import type { GroupWriter } from './db/group-writer.js';
import type { SecurityServerDatabase } from './db/schema.js';

/** One message exchange as operational monitoring records it (X-Road's operational data, abridged). */
export interface OpmonRecord {
  /** `Client`: this server is the consumer's; `Producer`: the provider's. */
  readonly securityServerType: 'Client' | 'Producer';
  readonly requestInTs: number;
  readonly responseOutTs: number;
  readonly client: string | null;
  readonly service: string | null;
  readonly messageId: string | null;
  readonly requestId: string | null;
  readonly requestSize: number;
  readonly responseSize: number;
  readonly statusCode: number | null;
  readonly succeeded: boolean;
  readonly faultCode: string | null;
  readonly faultString: string | null;
}

export interface OpmonQuery {
  from?: number;
  to?: number;
  client?: string;
  service?: string;
  limit?: number;
}

/** How long operational monitoring records are buffered before they are written. */
const FLUSH_MS = 200;

/**
 * Operational monitoring: a record per exchange (client, service, sizes, times, status, fault) kept in
 * the security server's database for its owner to query, and Prometheus counters and histograms for
 * `/metrics`. Records are buffered for up to FLUSH_MS and written together; they never slow a message down.
 */
export class OperationalMonitor {
  private nextId = 1;
  private readonly messages: Counter<'type' | 'succeeded' | 'fault'>;
  private readonly duration: Histogram<'type'>;
  private readonly bytes: Counter<'type' | 'direction'>;
  private readonly insert;
  private pending: CompiledQuery[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<SecurityServerDatabase>,
    private readonly writer: GroupWriter,
    registry: Registry,
    private readonly onError: (err: unknown) => void,
  ) {
    this.insert = compiledInsert(db, 'opmon', [
      'id',
      'security_server_type',
      'request_in_ts',
      'response_out_ts',
      'client',
      'service',
      'message_id',
      'request_id',
      'request_size',
      'response_size',
      'status_code',
      'succeeded',
      'fault_code',
      'fault_string',
    ]);
    this.messages = new Counter({
      name: 'riik_xroad_messages_total',
      help: 'X-Road message exchanges handled, by security server role, outcome and fault type',
      labelNames: ['type', 'succeeded', 'fault'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'riik_xroad_message_duration_seconds',
      help: 'Time from request in to response out, by security server role',
      labelNames: ['type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.bytes = new Counter({
      name: 'riik_xroad_message_bytes_total',
      help: 'Request and response bytes (bodies) passed through, by role and direction',
      labelNames: ['type', 'direction'],
      registers: [registry],
    });
  }

  async init(): Promise<void> {
    const row = await this.db
      .selectFrom('opmon')
      .select((eb) => [eb.fn.max('id').as('max')])
      .executeTakeFirst();
    this.nextId = Number(row?.max ?? 0) + 1;
  }

  record(r: OpmonRecord): void {
    this.messages.inc({
      type: r.securityServerType,
      succeeded: String(r.succeeded),
      fault: r.faultCode ?? '',
    });
    this.duration.observe({ type: r.securityServerType }, (r.responseOutTs - r.requestInTs) / 1000);
    this.bytes.inc({ type: r.securityServerType, direction: 'request' }, r.requestSize);
    this.bytes.inc({ type: r.securityServerType, direction: 'response' }, r.responseSize);
    const insert = this.insert({
      id: this.nextId++,
      security_server_type: r.securityServerType,
      request_in_ts: r.requestInTs,
      response_out_ts: r.responseOutTs,
      client: r.client,
      service: r.service,
      message_id: r.messageId,
      request_id: r.requestId,
      request_size: r.requestSize,
      response_size: r.responseSize,
      status_code: r.statusCode,
      succeeded: r.succeeded ? 1 : 0,
      fault_code: r.faultCode,
      fault_string: r.faultString,
    });
    this.pending.push(insert);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /**
   * Write the buffered records: one transaction, without a disk sync of its own, for everything
   * recorded in the last interval (X-Road's security server, too, buffers operational data and
   * sends it on in batches). Records are never on a message's path.
   */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    if (rows.length === 0) return Promise.resolve();
    return this.writer
      .write(
        async (trx) => {
          for (const row of rows) await trx.executeQuery(row);
        },
        { sync: false },
      )
      .catch(this.onError);
  }

  async query(q: OpmonQuery): Promise<OpmonRecord[]> {
    await this.flush();
    let s = this.db
      .selectFrom('opmon')
      .selectAll()
      .orderBy('id')
      .limit(Math.min(q.limit ?? 1000, 10_000));
    if (q.from !== undefined) s = s.where('request_in_ts', '>=', q.from);
    if (q.to !== undefined) s = s.where('request_in_ts', '<', q.to);
    if (q.client) s = s.where('client', '=', q.client);
    if (q.service) s = s.where('service', '=', q.service);
    return (await s.execute()).map((r) => ({
      securityServerType: r.security_server_type === 'Client' ? 'Client' : 'Producer',
      requestInTs: Number(r.request_in_ts),
      responseOutTs: Number(r.response_out_ts),
      client: r.client,
      service: r.service,
      messageId: r.message_id,
      requestId: r.request_id,
      requestSize: Number(r.request_size),
      responseSize: Number(r.response_size),
      statusCode: r.status_code,
      succeeded: r.succeeded === 1,
      faultCode: r.fault_code,
      faultString: r.fault_string,
    }));
  }
}
