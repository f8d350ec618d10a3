import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './open.js';
import { StorageError } from './errors.js';

/**
 * Migrations are code, owned by the service whose tables they create, named so that their
 * lexical order is their order ("0001_certificates"). Each service keeps its own migration
 * table, so services may share one PostgreSQL database without stepping on each other.
 */
export type Migrations = Record<string, Migration>;

export async function migrateToLatest<DB>(
  database: Database<DB>,
  migrations: Migrations,
  table: string,
): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({
    db: database.db as Kysely<unknown>,
    provider,
    // Name the schema explicitly: Kysely looks for its bookkeeping tables by introspection,
    // which would otherwise find a same-named table in another schema.
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
    migrationTableName: `${table}_migrations`,
    migrationLockTableName: `${table}_migrations_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StorageError('MIGRATION_FAILED', `migration ${failed} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
