import { statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@riik/testing';
import { startBackgroundCheckpoints } from '../src/db/checkpoints.js';

describe('write-ahead log checkpoints in a worker thread', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('keeps the log bounded while the connection writes without checkpointing itself', async () => {
    const file = join(dir.path, 'wal.sqlite');
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec('create table t (id integer primary key, body text not null)');
    const checkpoints = await startBackgroundCheckpoints(file, { intervalMs: 5, restartFrames: 32 });
    db.pragma('wal_autocheckpoint = 0');
    const insert = db.prepare('insert into t (body) values (?)');
    const body = 'x'.repeat(1000);
    // 3000 commits of a 1 kB row: about 24 MB of log if nothing checkpointed it
    for (let i = 0; i < 3000; i++) {
      insert.run(body);
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await checkpoints.close();
    expect(statSync(`${file}-wal`).size).toBeLessThan(8 * 2 ** 20);
    db.close();
    const again = new SQLite(file, { readonly: true });
    expect(again.prepare('select count(*) as n from t').get()).toEqual({ n: 3000 });
    expect(again.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    again.close();
  });

  it('refuses to start on a database that does not exist', async () => {
    await expect(startBackgroundCheckpoints(join(dir.path, 'missing.sqlite'))).rejects.toThrow();
  });
});
