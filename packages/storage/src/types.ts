import type { Kysely } from 'kysely';
import type { Dialect } from './open.js';

/**
 * Column types that differ between the two dialects. Migrations call these so that one
 * migration creates the right table on both SQLite and PostgreSQL.
 */
export function columnTypes(dialect: Dialect) {
  return {
    bytes: dialect === 'postgres' ? ('bytea' as const) : ('blob' as const),
    /** Epoch milliseconds, counters: int8 on PostgreSQL, INTEGER (64-bit) on SQLite. */
    int64: dialect === 'postgres' ? ('bigint' as const) : ('integer' as const),
  };
}

/** The dialect of a Kysely instance, from its adapter. */
export function dialectOf(db: Kysely<unknown>): Dialect {
  const adapter = db.getExecutor().adapter.constructor.name;
  return adapter.startsWith('Postgres') ? 'postgres' : 'sqlite';
}

/** Bytes from a bytes column: Buffer on both drivers; copied into a plain Uint8Array view. */
export function asBytes(value: Uint8Array | Buffer): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** True for a unique-constraint violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
