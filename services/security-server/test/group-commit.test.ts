import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Database } from '@riik/storage';
import { tempDir } from '@riik/testing';
import { securityServerMigrations, type SecurityServerDatabase } from '../src/index.js';
import { WalSync } from '../src/db/durability.js';
import { GroupWriter } from '../src/db/group-writer.js';

describe('group commit of the message path', () => {
  const dir = tempDir();
  let database: Database<SecurityServerDatabase>;
  const file = () => `${dir.path}/ss.db`;

  beforeAll(async () => {
    database = await openDatabase<SecurityServerDatabase>({ url: file() });
    await migrateToLatest(database, securityServerMigrations, 'security_server');
    await sql`PRAGMA synchronous = NORMAL`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
    dir.remove();
  });

  const insert = (n: number) => async (trx: Parameters<Parameters<GroupWriter['write']>[0]>[0]) => {
    await trx
      .insertInto('timestamps')
      .values({ id: n, created_at: n, token: Buffer.from([n]), hash_chain_result: '<r/>', url: 'x' })
      .execute();
  };
  const count = async () =>
    Number(
      (
        await database.db
          .selectFrom('timestamps')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers a write only once the sync after its commit is done, and groups the writes made meanwhile', async () => {
    const syncs: Array<() => void> = [];
    const writer = new GroupWriter(database.db, () => new Promise<void>((resolve) => syncs.push(resolve)));
    const done: number[] = [];
    const first = writer.write(insert(1)).then(() => done.push(1));
    await new Promise((r) => setTimeout(r, 20));
    // Committed (visible to readers), but not answered before it is durable.
    expect(await count()).toBe(1);
    expect(syncs).toHaveLength(1);
    expect(done).toEqual([]);
    // Writes made while that sync runs wait for it and then go into one transaction and one sync.
    const more = [2, 3, 4].map((n) => writer.write(insert(n)).then(() => done.push(n)));
    await new Promise((r) => setTimeout(r, 20));
    expect(await count()).toBe(1);
    syncs[0]!();
    await first;
    await new Promise((r) => setTimeout(r, 20));
    expect(await count()).toBe(4);
    expect(syncs).toHaveLength(2);
    expect(done).toEqual([1]);
    syncs[1]!();
    await Promise.all(more);
    expect(done).toEqual([1, 2, 3, 4]);
    await writer.idle();
  });

  it('fails the writes of a group whose sync fails', async () => {
    const writer = new GroupWriter(database.db, () => Promise.reject(new Error('disk gone')));
    await expect(writer.write(insert(5))).rejects.toThrow('disk gone');
    await writer.idle();
  });

  it('commits a group of unsynced writes without a sync, and syncs a group with any synced write', async () => {
    let syncs = 0;
    const writer = new GroupWriter(database.db, () => {
      syncs++;
      return Promise.resolve();
    });
    await Promise.all([20, 21].map((n) => writer.write(insert(n), { sync: false })));
    expect(syncs).toBe(0);
    await Promise.all([writer.write(insert(22), { sync: false }), writer.write(insert(23))]);
    expect(syncs).toBe(1);
    await database.db.deleteFrom('timestamps').where('id', '>=', 20).execute();
  });

  it("syncs SQLite's write-ahead log file, and refuses once closed", async () => {
    expect(existsSync(`${file()}-wal`)).toBe(true);
    const wal = new WalSync(file());
    const writer = new GroupWriter(database.db, wal.sync);
    await Promise.all([6, 7, 8].map((n) => writer.write(insert(n))));
    // 1–4, 5 (committed although its sync failed: its message was refused, not passed on), 6–8.
    expect(await count()).toBe(8);
    await wal.close();
    await expect(wal.sync()).rejects.toThrow('closed');
  });
});
