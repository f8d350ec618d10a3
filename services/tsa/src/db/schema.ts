import { columnTypes, dialectOf, type Migrations } from '@riik/storage';

/**
 * The calendar as stored. Aggregated hashes are not stored at all: a round leaves one entry
 * (its time and root) and the calendar's new perfect nodes above level 0, ~1 per round on
 * average (level-0 nodes are the entries' leaf hashes, recomputed when read).
 */
export interface CalendarEntriesTable {
  /** Calendar index (0, 1, 2, …): the round's position in the calendar log. */
  idx: number;
  /** Round close time, ms since the epoch: the first 8 bytes of the calendar entry. */
  time_ms: number;
  /** Round root: the last 32 bytes of the calendar entry. */
  root: Uint8Array;
  /** Number of leaves aggregated in the round (statistics only; not part of the entry). */
  round_size: number;
}

export interface CalendarNodesTable {
  /** index * 64 + level: one integer key, so SQLite keeps the row in its rowid B-tree. */
  id: number;
  hash: Uint8Array;
}

export interface PublicationsTable {
  size: number;
  time_s: number;
  root: Uint8Array;
}

export interface TsaDatabase {
  calendar_entries: CalendarEntriesTable;
  calendar_nodes: CalendarNodesTable;
  publications: PublicationsTable;
}

export const tsaMigrations: Migrations = {
  '0001_calendar': {
    async up(db) {
      const t = columnTypes(dialectOf(db));
      // "integer primary key" makes SQLite use the rowid as the key (no separate index).
      const key = t.int64 === 'integer' ? 'integer' : 'bigint';
      await db.schema
        .createTable('calendar_entries')
        .addColumn('idx', key, (c) => c.primaryKey())
        .addColumn('time_ms', t.int64, (c) => c.notNull())
        .addColumn('root', t.bytes, (c) => c.notNull())
        .addColumn('round_size', t.int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('calendar_nodes')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('hash', t.bytes, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('publications')
        .addColumn('size', key, (c) => c.primaryKey())
        .addColumn('time_s', t.int64, (c) => c.notNull())
        .addColumn('root', t.bytes, (c) => c.notNull())
        .execute();
    },
  },
};
