import { open, type FileHandle } from 'node:fs/promises';

/** Makes the commits made so far durable. */
export type Durable = () => Promise<void>;

/** Durability for PostgreSQL (the server syncs at commit, as its synchronous_commit says) and for tests. */
export const alreadyDurable: Durable = () => Promise.resolve();

/**
 * Group commit for SQLite without blocking the event loop. better-sqlite3 runs every statement on the
 * JavaScript thread, so with `synchronous = FULL` each commit's fsync (2–10 ms on a busy disk, far
 * more in bad moments) stops the whole security server: no message is read, verified or forwarded
 * meanwhile, and no other write can join the commit. Instead the connection commits with
 * `synchronous = NORMAL` in WAL mode — the frames are written to the write-ahead log, unsynced — and
 * this syncs the write-ahead log file with fdatasync on libuv's thread pool. fsync applies to the
 * file, not to the descriptor, so once it returns every frame written before it was called is on
 * disk: the commits it covers are exactly as durable as with `synchronous = FULL` (which makes the
 * same sync inside the commit). SQLite itself still syncs the log before a checkpoint copies it into
 * the database, and the database after, as it does at NORMAL. Callers wait for this before they
 * pass a message on, and one sync serves every commit made while the previous one was running.
 *
 * The write-ahead log keeps its file (and inode) while the connection is open: SQLite rewinds it after
 * a checkpoint rather than deleting it, and deletes it only when the last connection closes.
 */
export class WalSync {
  private handle: Promise<FileHandle> | undefined;
  private closed = false;

  constructor(private readonly databaseFile: string) {}

  readonly sync: Durable = async () => {
    if (this.closed) throw new Error('the database is closed');
    this.handle ??= open(`${this.databaseFile}-wal`, 'r');
    await (await this.handle).datasync();
  };

  async close(): Promise<void> {
    this.closed = true;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }
}
