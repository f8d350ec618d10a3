import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { storageBackends, tempDir } from '@riik/testing';
import {
  columnTypes,
  dialectOf,
  isUniqueViolation,
  migrateToLatest,
  openDatabase,
  type Migrations,
} from '../src/index.js';

interface DB {
  things: { id: string; n: number; data: Uint8Array };
}

const migrations: Migrations = {
  '0001_things': {
    async up(db) {
      const t = columnTypes(dialectOf(db));
      await db.schema
        .createTable('things')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('n', t.int64, (c) => c.notNull())
        .addColumn('data', t.bytes, (c) => c.notNull())
        .execute();
    },
  },
};

const dir = tempDir();
afterAll(() => dir.remove());

describe.each(storageBackends())('storage on $name', ({ name, url }) => {
  it('migrates, round-trips int64 and bytes, and reports unique violations', async () => {
    const schema = `t_${process.pid}_${Date.now() % 100000}`;
    const database = await openDatabase<DB>({ url: url ?? `${dir.path}/${name}.db`, schema });
    const { db, dialect, close } = database;
    try {
      expect(dialect).toBe(name);
      await migrateToLatest(database, migrations, 'test');
      await migrateToLatest(database, migrations, 'test'); // idempotent
      const big = 1_800_000_000_000;
      await db
        .insertInto('things')
        .values({ id: 'a', n: big, data: new Uint8Array([0, 1, 255]) })
        .execute();
      const row = await db.selectFrom('things').selectAll().where('id', '=', 'a').executeTakeFirstOrThrow();
      expect(row.n).toBe(big);
      expect([...row.data]).toEqual([0, 1, 255]);
      const dup = await db
        .insertInto('things')
        .values({ id: 'a', n: 1, data: new Uint8Array() })
        .execute()
        .catch((e: unknown) => e);
      expect(isUniqueViolation(dup)).toBe(true);
      if (dialect === 'postgres') await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(db);
    } finally {
      await close();
    }
  });
});

describe('bad configuration', () => {
  it('rejects a bad schema name with a code', async () => {
    await expect(
      openDatabase({ url: 'postgres://x@127.0.0.1:1/db', schema: 'a;drop' }),
    ).rejects.toMatchObject({
      code: 'BAD_URL',
    });
  });
});

describe('SQLite statement cache', () => {
  it('reuses prepared statements across values and keeps working past its size', async () => {
    const database = await openDatabase<DB>({ url: `${dir.path}/cache.db` });
    try {
      await migrateToLatest(database, migrations, 'test');
      const { db } = database;
      for (let i = 0; i < 50; i++) {
        await db
          .insertInto('things')
          .values({ id: `k${i}`, n: i, data: new Uint8Array([i]) })
          .execute();
      }
      for (let i = 0; i < 50; i++) {
        const row = await db
          .selectFrom('things')
          .selectAll()
          .where('id', '=', `k${i}`)
          .executeTakeFirstOrThrow();
        expect(row.n).toBe(i);
      }
      // More distinct SQL texts than the cache holds (IN lists of growing length), then the first again.
      for (let k = 1; k <= 300; k++) {
        const ids = Array.from({ length: k }, (_, j) => `k${j % 50}`);
        const rows = await db.selectFrom('things').select('id').where('id', 'in', ids).execute();
        expect(rows.length).toBe(Math.min(k, 50));
      }
      expect(
        (await db.selectFrom('things').selectAll().where('id', '=', 'k7').executeTakeFirstOrThrow()).n,
      ).toBe(7);
    } finally {
      await database.close();
    }
  });
});
