/**
 * The throwaway PostgreSQL the test command starts (scripts/test-all.sh exports
 * RIIK_TEST_PG_URL). Storage tests run against both SQLite and this; when the variable is
 * absent (a developer running one file) they run on SQLite only and say so.
 */
export function testPostgresUrl(): string | undefined {
  return process.env.RIIK_TEST_PG_URL || undefined;
}

/** Storage back ends to run a storage test suite on. */
export function storageBackends(): Array<{ name: string; url: string | undefined }> {
  const pg = testPostgresUrl();
  const list: Array<{ name: string; url: string | undefined }> = [{ name: 'sqlite', url: undefined }];
  if (pg) list.push({ name: 'postgres', url: pg });
  else if (process.env.CI || process.env.RIIK_REQUIRE_PG)
    throw new Error('RIIK_TEST_PG_URL is required in CI');
  return list;
}
