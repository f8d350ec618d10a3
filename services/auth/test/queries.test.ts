import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageBackends, tempDir } from '@riik/testing';
import { migrateToLatest, openDatabase, prepareQuery, type Database } from '@riik/storage';
import { authMigrations, type AuthDatabase } from '../src/index.js';
import { loginQueries } from '../src/login/queries.js';

describe.each(storageBackends())('prepared login queries on $name', ({ name, url }) => {
  const dir = tempDir();
  let database: Database<AuthDatabase>;

  beforeAll(async () => {
    database = await openDatabase<AuthDatabase>({
      url: url ?? `${dir.path}/auth.sqlite`,
      ...(url ? { schema: `auth_queries_${process.pid}_${Date.now() % 1e6}` } : {}),
    });
    await migrateToLatest(database, authMigrations, 'auth');
  });
  afterAll(async () => {
    await database?.close();
    dir.remove();
  });

  it(`binds placeholders by name, in whatever order the SQL needs them (${name})`, async () => {
    const db = database.db;
    const insert = prepareQuery(db, (v: { uid: string; nonce: string; expires_at: number }) =>
      db.insertInto('login_challenges').values({ expires_at: v.expires_at, uid: v.uid, nonce: v.nonce }),
    );
    const select = prepareQuery(db, (v: { nonce: string; uid: string }) =>
      db.selectFrom('login_challenges').selectAll().where('nonce', '=', v.nonce).where('uid', '=', v.uid),
    );
    await insert({ uid: 'u-1', nonce: 'n-1', expires_at: 1000 });
    await insert({ uid: 'u-2', nonce: 'n-2', expires_at: 2000 });
    expect((await select({ uid: 'u-2', nonce: 'n-2' })).rows).toEqual([
      { uid: 'u-2', nonce: 'n-2', expires_at: 2000 },
    ]);
    expect((await select({ uid: 'u-2', nonce: 'n-1' })).rows).toEqual([]);
  });

  it('keeps constants written into the query and refuses a spread of the placeholders', async () => {
    const db = database.db;
    const older = prepareQuery(db, (v: { uid: string }) =>
      db.selectFrom('login_challenges').select('uid').where('uid', '=', v.uid).where('expires_at', '<', 1500),
    );
    expect((await older({ uid: 'u-1' })).rows).toEqual([{ uid: 'u-1' }]);
    expect((await older({ uid: 'u-2' })).rows).toEqual([]);
    expect(() =>
      prepareQuery(db, (v: { uid: string; nonce: string; expires_at: number }) =>
        db.insertInto('login_challenges').values({ ...v }),
      ),
    ).toThrow(TypeError);
  });

  it('takes a challenge once: read and deleted in one statement', async () => {
    const q = loginQueries(database.db);
    await q.storeChallenge({ uid: 'login-1', nonce: 'first', expires_at: 10 });
    await q.storeChallenge({ uid: 'login-1', nonce: 'second', expires_at: 20 }); // replaces
    expect((await q.takeChallenge({ uid: 'login-1' })).rows).toEqual([{ nonce: 'second', expires_at: 20 }]);
    expect((await q.takeChallenge({ uid: 'login-1' })).rows).toEqual([]);
    const racing = await Promise.all([
      q
        .storeChallenge({ uid: 'login-2', nonce: 'n', expires_at: 10 })
        .then(() => q.takeChallenge({ uid: 'login-2' })),
      q.takeChallenge({ uid: 'login-2' }),
      q.takeChallenge({ uid: 'login-2' }),
    ]);
    expect(racing.map((r) => r.rows.length).reduce((a, b) => a + b)).toBe(1);
  });

  it('stores a person, and writes again only when the claims change', async () => {
    const q = loginQueries(database.db);
    const person = {
      sub: 'EE38001085718',
      given_name: 'JAAK-KRISTJAN',
      family_name: 'JÕEORG',
      date_of_birth: '1980-01-08',
      document_type: 'id-card',
    };
    const stored = () =>
      database.db.selectFrom('people').selectAll().where('sub', '=', person.sub).executeTakeFirstOrThrow();
    await q.storePerson({ ...person, updated_at: 1 });
    expect(await stored()).toEqual({ ...person, updated_at: 1 });
    await q.storePerson({ ...person, updated_at: 2 });
    expect((await stored()).updated_at).toBe(1); // same claims: nothing written
    await q.storePerson({ ...person, document_type: 'digi-id', updated_at: 3 });
    expect(await stored()).toEqual({ ...person, document_type: 'digi-id', updated_at: 3 });
    await q.storePerson({ ...person, document_type: 'digi-id', date_of_birth: null, updated_at: 4 });
    expect(await stored()).toEqual({
      ...person,
      document_type: 'digi-id',
      date_of_birth: null,
      updated_at: 4,
    });
  });
});
