import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, storageBackends, tempDir } from '@riik/testing';
import { migrateToLatest, openDatabase, type Database } from '@riik/storage';
import { authMigrations, KyselyAdapter, SWEEP_BATCH, sweepExpired, type AuthDatabase } from '../src/index.js';

describe.each(storageBackends())('oidc-provider storage adapter on $name', ({ name, url }) => {
  const dir = tempDir();
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  let database: Database<AuthDatabase>;
  const adapter = (model: string) => new KyselyAdapter(database.db, model, clock.now);

  beforeAll(async () => {
    database = await openDatabase<AuthDatabase>({
      url: url ?? `${dir.path}/auth.sqlite`,
      ...(url ? { schema: `auth_adapter_${process.pid}_${Date.now() % 1e6}` } : {}),
    });
    await migrateToLatest(database, authMigrations, 'auth');
  });
  afterAll(async () => {
    await database?.close();
    dir.remove();
  });

  it(`stores, finds by id and uid, updates and destroys (${name})`, async () => {
    const sessions = adapter('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'EE38001085718' }, 3600);
    expect(await sessions.find('s1')).toEqual({ uid: 'u1', accountId: 'EE38001085718' });
    expect(await sessions.findByUid('u1')).toEqual({ uid: 'u1', accountId: 'EE38001085718' });
    await sessions.upsert('s1', { uid: 'u1', accountId: 'EE49002124277' }, 3600);
    expect((await sessions.find('s1'))?.accountId).toBe('EE49002124277');
    // models are separate namespaces
    expect(await adapter('AccessToken').find('s1')).toBeUndefined();
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
  });

  it('hides expired entries at once and sweeps them', async () => {
    const interactions = adapter('Interaction');
    await interactions.upsert('i1', { uid: 'i1' }, 600);
    clock.advance(599_000);
    expect(await interactions.find('i1')).toBeDefined();
    clock.advance(1_000);
    expect(await interactions.find('i1')).toBeUndefined();
    expect(await sweepExpired(database.db, clock.now())).toBeGreaterThanOrEqual(1);
  });

  it('sweeps in batches: every expired row, however many share an expiry, and nothing else', async () => {
    await sweepExpired(database.db, clock.now());
    const codes = adapter('AuthorizationCode');
    const tokens = adapter('AccessToken');
    // SWEEP_BATCH + 1 codes expiring at the same moment, then more at distinct moments
    for (let i = 0; i <= SWEEP_BATCH; i++) await codes.upsert(`same-${i}`, { grantId: `g-${i}` }, 60);
    for (let i = 0; i < SWEEP_BATCH; i++) {
      clock.advance(10);
      await codes.upsert(`spread-${i}`, { grantId: `g-${i}` }, 60);
    }
    await tokens.upsert('lives-on', { grantId: 'g-x' }, 600);
    clock.advance(61_000);
    expect(await sweepExpired(database.db, clock.now())).toBe(2 * SWEEP_BATCH + 1);
    expect(await codes.find('spread-0')).toBeUndefined();
    expect(await tokens.find('lives-on')).toBeDefined();
    const left = await database.db
      .selectFrom('oidc_payloads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('model', '=', 'AuthorizationCode')
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  });

  it('consumes an authorization code exactly once, even when two exchanges race', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1', accountId: 'EE38001085718' }, 60);
    const results = await Promise.allSettled([codes.consume('c1'), codes.consume('c1')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ error: 'invalid_grant' });
    expect((await codes.find('c1'))?.consumed).toBeTypeOf('number');
  });

  it('revokes everything of a grant', async () => {
    await adapter('AccessToken').upsert('a1', { grantId: 'g2' }, 600);
    await adapter('RefreshToken').upsert('r1', { grantId: 'g2' }, 600);
    await adapter('AccessToken').upsert('a2', { grantId: 'g3' }, 600);
    await adapter('AccessToken').revokeByGrantId('g2');
    expect(await adapter('AccessToken').find('a1')).toBeUndefined();
    expect(await adapter('RefreshToken').find('r1')).toBeUndefined();
    expect(await adapter('AccessToken').find('a2')).toBeDefined();
  });
});
