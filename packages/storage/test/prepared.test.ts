import { afterAll, describe, expect, it } from 'vitest';
import { storageBackends, tempDir } from '@riik/testing';
import {
  columnTypes,
  dialectOf,
  migrateToLatest,
  openDatabase,
  prepareQuery,
  type Migrations,
} from '../src/index.js';

interface DB {
  notes: { id: number; author: string; body: string; version: number };
}

const migrations: Migrations = {
  '0001_notes': {
    async up(db) {
      const t = columnTypes(dialectOf(db));
      await db.schema
        .createTable('notes')
        .addColumn('id', t.int64, (c) => c.primaryKey())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('version', t.int64, (c) => c.notNull())
        .execute();
    },
  },
};

const dir = tempDir();
afterAll(() => dir.remove());

describe.each(storageBackends())('prepared queries on $name', ({ name, url }) => {
  it('run the compiled SQL with each call’s values in their places, constants kept', async () => {
    const schema = `prep_${process.pid}_${Date.now() % 100000}`;
    const database = await openDatabase<DB>({ url: url ?? `${dir.path}/${name}.db`, schema });
    const { db } = database;
    try {
      await migrateToLatest(database, migrations, schema);
      // The placeholders are named in another order than the columns; `version` is a constant.
      const insert = prepareQuery(db, (v: { body: string; id: number; author: string }) =>
        db.insertInto('notes').values({ id: v.id, author: v.author, body: v.body, version: 1 }),
      );
      const byAuthor = prepareQuery(db, (v: { author: string }) =>
        db.selectFrom('notes').select(['id', 'body', 'version']).where('author', '=', v.author).orderBy('id'),
      );
      await insert({ id: 1, author: 'mari', body: 'first' });
      await insert({ author: 'jaan', body: 'second', id: 2 });
      // compiled(): the same query with these values, to be run later by someone else.
      await db.executeQuery(insert.compiled({ id: 3, author: 'mari', body: 'third' }));
      expect(
        (await byAuthor({ author: 'mari' })).rows.map((r) => [Number(r.id), r.body, Number(r.version)]),
      ).toEqual([
        [1, 'first', 1],
        [3, 'third', 1],
      ]);
      expect((await byAuthor({ author: 'nobody' })).rows).toEqual([]);
      // Values are parameters, never SQL text.
      await insert({ id: 4, author: "x' OR '1'='1", body: 'quote' });
      expect((await byAuthor({ author: "x' OR '1'='1" })).rows).toHaveLength(1);
      expect((await byAuthor({ author: 'x' })).rows).toHaveLength(0);
    } finally {
      await database.close();
    }
  });

  it('refuses placeholders taken all at once (a spread would hide which value goes where)', () => {
    const database = openDatabase<DB>({ url: url ?? `${dir.path}/${name}-spread.db`, schema: 'prep_spread' });
    return database.then(async ({ db, close }) => {
      try {
        expect(() =>
          prepareQuery(db, (v: { id: number; author: string; body: string; version: number }) =>
            db.insertInto('notes').values({ ...v }),
          ),
        ).toThrow(TypeError);
      } finally {
        await close();
      }
    });
  });
});
