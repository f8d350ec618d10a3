import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';

// riik stores times as epoch milliseconds and counters in int8 columns, all far below 2^53;
// read them as numbers rather than pg's default strings, so both dialects return the same types.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
import { StorageError } from './errors.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenDatabaseOptions {
  /**
   * `postgres://…` / `postgresql://…` for PostgreSQL; a file path (or `:memory:`) for SQLite.
   * The embedded default is SQLite.
   */
  url: string;
  /**
   * PostgreSQL schema to use (created when missing). Lets several services, or several test
   * runs, share one server while each owns its own tables.
   */
  schema?: string;
  /** Max pool size for PostgreSQL. */
  poolSize?: number;
}

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** The PostgreSQL schema the tables live in, when one was given. */
  readonly schema?: string;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Open a Kysely database on SQLite (default) or PostgreSQL (when given a postgres:// URL). */
export async function openDatabase<DB>(options: OpenDatabaseOptions): Promise<Database<DB>> {
  if (isPostgresUrl(options.url)) return openPostgres<DB>(options);
  return openSqlite<DB>(options.url);
}

function openSqlite<DB>(file: string): Database<DB> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets readers (OCSP lookups) proceed while a writer commits; synchronous=FULL makes a
  // commit durable before it returns, which the audit log and the CA's issuance records need.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Distinct SQL texts kept prepared per SQLite connection. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 behind Kysely prepares every query anew, and preparing costs more than running
 * a primary-key lookup. Kysely produces the same SQL text for the same query shape (values are
 * parameters), so a small map from SQL text to prepared statement removes that cost. Statements
 * are only run to completion (`all`, `run`) by Kysely, so reusing one is safe.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (statement) return statement;
      statement = sqlite.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
      return statement;
    },
  };
}

async function openPostgres<DB>(options: OpenDatabaseOptions): Promise<Database<DB>> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new StorageError('BAD_URL', `invalid PostgreSQL schema name ${JSON.stringify(schema)}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  if (schema) {
    // A one-off connection without the search_path option: the schema may not exist yet.
    const admin = new pg.Client({ connectionString: options.url });
    try {
      await admin.connect();
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (err) {
      await pool.end();
      throw new StorageError(
        'BAD_URL',
        `cannot prepare PostgreSQL schema ${schema}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', ...(schema ? { schema } : {}), close: () => db.destroy() };
}
