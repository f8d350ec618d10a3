import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { StorageError } from './errors.js';

/**
 * Migrations are code, owned by the service whose tables they create, named so that their
 * lexical order is their order ("0001_certificates"). Each service keeps its own migration
 * table, so services may share one PostgreSQL database without stepping on each other.
 */
export type Migrations = Record<string, Migration>;

export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Migrations,
  table: string,
): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({
    db,
    provider,
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
