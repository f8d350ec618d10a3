import { sql, type Kysely } from 'kysely';
import { MerkleError, type NodeHashReader, type NodeId, type StoredNode } from '@riik/core';
import { calendarLeafHash } from '@riik/ksi';
import type { Publication } from '@riik/ksi';
import { asBytes, migrateToLatest, openDatabase, type Database } from '@riik/storage';
import { tsaMigrations, type TsaDatabase } from './schema.js';

export interface CalendarEntry {
  index: number;
  timeMs: number;
  root: Uint8Array;
  roundSize: number;
}

const nodeKey = (level: number, index: number) => index * 64 + level;

/** Largest IN list per query (well under SQLite's and PostgreSQL's parameter limits). */
const CHUNK = 500;

/**
 * The calendar log's storage: entries, perfect nodes and publications, on SQLite (synchronous
 * FULL + WAL, so a commit is on disk when it returns) or PostgreSQL. Also the NodeHashReader
 * the core proof and tile functions read from.
 */
export class CalendarStore implements NodeHashReader {
  private constructor(
    private readonly database: Database<TsaDatabase>,
    private readonly db: Kysely<TsaDatabase>,
  ) {}

  static async open(url: string, schema?: string): Promise<CalendarStore> {
    const database = await openDatabase<TsaDatabase>({ url, ...(schema ? { schema } : {}) });
    await migrateToLatest(database, tsaMigrations, 'tsa');
    return new CalendarStore(database, database.db);
  }

  get dialect() {
    return this.database.dialect;
  }

  close(): Promise<void> {
    return this.database.close();
  }

  /** Number of entries (the calendar size), from the highest index stored. */
  async size(): Promise<number> {
    const row = await this.db
      .selectFrom('calendar_entries')
      .select((eb) => eb.fn.max('idx').as('last'))
      .executeTakeFirst();
    return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
  }

  /**
   * Append one round, atomically: the entry and the perfect nodes it completed (levels ≥ 1).
   * Returns once the transaction is committed (durable on SQLite with synchronous=FULL).
   */
  async append(entry: CalendarEntry, nodes: readonly StoredNode[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('calendar_entries')
        .values({ idx: entry.index, time_ms: entry.timeMs, root: entry.root, round_size: entry.roundSize })
        .execute();
      const rows = nodes
        .filter((n) => n.level > 0)
        .map((n) => ({ id: nodeKey(n.level, n.index), hash: n.hash }));
      if (rows.length > 0) await trx.insertInto('calendar_nodes').values(rows).execute();
    });
  }

  async entries(from: number, to: number): Promise<CalendarEntry[]> {
    const rows = await this.db
      .selectFrom('calendar_entries')
      .selectAll()
      .where('idx', '>=', from)
      .where('idx', '<', to)
      .orderBy('idx')
      .execute();
    return rows.map((r) => ({
      index: Number(r.idx),
      timeMs: Number(r.time_ms),
      root: asBytes(r.root),
      roundSize: Number(r.round_size),
    }));
  }

  async entry(index: number): Promise<CalendarEntry | undefined> {
    return (await this.entries(index, index + 1))[0];
  }

  /** NodeHashReader: level 0 from the entries, higher levels from the node table. */
  async readNodeHashes(ids: readonly NodeId[]): Promise<readonly Uint8Array[]> {
    const leafIndices = ids.filter((id) => id.level === 0).map((id) => id.index);
    const keys = ids.filter((id) => id.level > 0).map((id) => nodeKey(id.level, id.index));
    const found = new Map<string, Uint8Array>();
    for (let k = 0; k < leafIndices.length; k += CHUNK) {
      const rows = await this.db
        .selectFrom('calendar_entries')
        .select(['idx', 'time_ms', 'root'])
        .where('idx', 'in', leafIndices.slice(k, k + CHUNK))
        .execute();
      for (const r of rows)
        found.set(`0:${Number(r.idx)}`, calendarLeafHash(Number(r.time_ms), asBytes(r.root)));
    }
    for (let k = 0; k < keys.length; k += CHUNK) {
      const rows = await this.db
        .selectFrom('calendar_nodes')
        .select(['id', 'hash'])
        .where('id', 'in', keys.slice(k, k + CHUNK))
        .execute();
      for (const r of rows) {
        const id = Number(r.id);
        found.set(`${id % 64}:${Math.floor(id / 64)}`, asBytes(r.hash));
      }
    }
    return ids.map((id) => {
      const hash = found.get(`${id.level}:${id.index}`);
      if (!hash)
        throw new MerkleError('MISSING_NODE', `calendar node (${id.level}, ${id.index}) is not stored`);
      return hash;
    });
  }

  async addPublication(p: Publication): Promise<void> {
    await this.db.insertInto('publications').values({ size: p.size, time_s: p.time, root: p.root }).execute();
  }

  async publications(): Promise<Publication[]> {
    const rows = await this.db.selectFrom('publications').selectAll().orderBy('size').execute();
    return rows.map((r) => ({ size: Number(r.size), time: Number(r.time_s), root: asBytes(r.root) }));
  }

  /** Bytes the calendar occupies on disk (SQLite page count × page size), for the benchmarks. */
  async storageBytes(): Promise<number | undefined> {
    if (this.database.dialect !== 'sqlite') return undefined;
    const r = await sql<{
      bytes: number;
    }>`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(this.db);
    return Number(r.rows[0]?.bytes ?? 0);
  }
}
