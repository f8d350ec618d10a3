import type { Kysely, Transaction } from 'kysely';
import type { SecurityServerDatabase } from './schema.js';

type Op = {
  run: (trx: Transaction<SecurityServerDatabase>) => Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
};

/**
 * Group commit for the message path: writes queued while a transaction commits are committed together
 * in the next one. Every caller still waits for its own write to be durable before it goes on (the
 * message log must hold a message before the message is passed on), but a busy server pays one
 * commit (one fsync with SQLite's synchronous=FULL) per batch instead of per message.
 */
export class GroupWriter {
  private ops: Op[] = [];
  private flushing = false;

  constructor(private readonly db: Kysely<SecurityServerDatabase>) {}

  write(run: Op['run']): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ops.push({ run, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.ops.length > 0) {
      const batch = this.ops.splice(0, 2000);
      try {
        await this.db.transaction().execute(async (trx) => {
          for (const op of batch) await op.run(trx);
        });
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
