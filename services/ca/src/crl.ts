import { buildCrl } from '@riik/pki';
import type { Logger } from '@riik/http';
import type { CertificateStore } from './db/store.js';
import type { CaHierarchy } from './hierarchy.js';
import type { IssuerId } from './layout.js';

export interface CrlPublisherOptions {
  now?: () => Date;
  /** thisUpdate → nextUpdate (default 24 h). */
  validityMs?: number;
  /** Re-issue at least this often even without changes (default 1 h), well before nextUpdate. */
  refreshMs?: number;
}

/**
 * Publishes one CRL per issuing CA: at start, on every suspension / resumption / revocation,
 * and on a timer well inside the validity window, so a relying party never holds a stale one.
 * Each CRL gets the next CRL number; the latest is kept in the database.
 */
export class CrlPublisher {
  private readonly now: () => Date;
  private readonly validityMs: number;
  private readonly refreshMs: number;
  private readonly current = new Map<IssuerId, Uint8Array>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hierarchy: CaHierarchy,
    private readonly store: CertificateStore,
    private readonly log: Logger,
    options: CrlPublisherOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.validityMs = options.validityMs ?? 86_400_000;
    this.refreshMs = options.refreshMs ?? 3_600_000;
  }

  /** Load the stored CRLs and re-issue any that are due; then keep refreshing. */
  async start(): Promise<void> {
    for (const id of this.hierarchy.issuers.keys()) {
      const last = await this.store.lastCrl(id);
      if (last && last.nextUpdate.getTime() - this.now().getTime() > this.validityMs - this.refreshMs) {
        this.current.set(id, last.der);
      } else await this.publish(id);
    }
    this.timer = setInterval(() => {
      for (const id of this.hierarchy.issuers.keys()) void this.publish(id);
    }, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The current CRL of an issuer (DER). */
  get(id: IssuerId): Uint8Array | undefined {
    return this.current.get(id);
  }

  /** Issue a new CRL for `id`. Serialised, so CRL numbers never race. */
  publish(id: IssuerId): Promise<void> {
    const run = this.queue.then(async () => {
      const issuer = this.hierarchy.issuers.get(id)!;
      const thisUpdate = this.now();
      const nextUpdate = new Date(thisUpdate.getTime() + this.validityMs);
      const number = ((await this.store.lastCrl(id))?.number ?? 0) + 1;
      const entries = (await this.store.revokedOf(id)).map((e) => ({
        serialHex: e.serial,
        revokedAt: e.revokedAt,
        reason: e.reason,
      }));
      const der = await buildCrl(issuer.authority, { thisUpdate, nextUpdate, crlNumber: number, entries });
      await this.store.saveCrl(id, { number, thisUpdate, nextUpdate, der });
      this.current.set(id, der);
      this.log.info({ issuer: id, crlNumber: number, entries: entries.length }, 'CRL published');
    });
    this.queue = run.catch((err: unknown) =>
      this.log.error({ err: String(err), issuer: id }, 'CRL publication failed'),
    );
    return run;
  }
}
