import type { Kysely, Transaction } from 'kysely';
import { alreadyDurable, type Durable } from './durability.js';
import type { SecurityServerDatabase } from './schema.js';

type Op = {
  run: (trx: Transaction<SecurityServerDatabase>) => Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** False for records that need not survive a machine crash (operational monitoring). */
  sync: boolean;
};

/** Most writes one transaction takes; a longer queue is committed in several. */
const MAX_BATCH = 2000;

/**
 * Group commit for the message path. Writes queued while the previous group is being made durable are
 * committed together in the next transaction, and one `durable()` (an fsync of SQLite's write-ahead
 * log, see WalSync) covers them all. Every caller still waits until its own write is durable before
 * it goes on — the message log must hold a message before the message is passed on — but a busy
 * server pays one disk sync per group instead of per message, and the event loop keeps serving
 * messages while the disk syncs.
 */
export class GroupWriter {
  private ops: Op[] = [];
  private flushing = false;

  constructor(
    private readonly db: Kysely<SecurityServerDatabase>,
    private readonly durable: Durable = alreadyDurable,
  ) {}

  /**
   * Commit `run` with the next group. With `sync: false` the write does not by itself cost a disk
   * sync: a group of such writes only is committed without one (a later synced group covers it).
   */
  write(run: Op['run'], options: { sync?: boolean } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ops.push({ run, resolve, reject, sync: options.sync ?? true });
      if (!this.flushing) {
        this.flushing = true;
        // Writes made in the same turn of the event loop join the first group.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.ops.length > 0) {
      const batch = this.ops.splice(0, MAX_BATCH);
      try {
        await this.db.transaction().execute(async (trx) => {
          for (const op of batch) await op.run(trx);
        });
        if (batch.some((op) => op.sync)) await this.durable();
        for (const op of batch) op.resolve();
      } catch (err) {
        for (const op of batch) op.reject(err);
      }
    }
    this.flushing = false;
  }

  /** Wait until everything queued so far is committed. */
  async idle(): Promise<void> {
    while (this.flushing || this.ops.length > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
