import type { NoteSigner } from '@riik/core';
import type { Logger } from '@riik/http';
import { signPublications, type Publication } from '@riik/ksi';
import type { Calendar } from './calendar.js';

/**
 * Publications: every `intervalMs` (default one day) the calendar's size and root are
 * published, if the calendar grew since the last publication. The publications file (a note
 * signed by the calendar key) lists all of them; each code is meant to be copied somewhere
 * the service cannot change afterwards (a newspaper, a witness, a printed page).
 */
export class Publisher {
  private list: Publication[] = [];
  private file = '';
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly calendar: Calendar,
    private readonly signer: NoteSigner,
    private readonly log: Logger,
    private readonly now: () => Date,
    readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    this.list = await this.calendar.store.publications();
    this.file = await signPublications(this.calendar.origin, this.list, this.signer);
    this.timer = setInterval(() => void this.publish().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get publications(): readonly Publication[] {
    return this.list;
  }

  /** The signed publications file. */
  get text(): string {
    return this.file;
  }

  /** Publish the calendar as it is now; undefined when it has not grown since the last one. */
  publish(): Promise<Publication | undefined> {
    const run = this.queue.then(async () => {
      const size = this.calendar.size;
      const last = this.list.at(-1);
      if (size === 0 || (last && last.size >= size)) return undefined;
      const publication: Publication = {
        time: Math.max(Math.floor(this.now().getTime() / 1000), last?.time ?? 0),
        size,
        root: this.calendar.root(),
      };
      await this.calendar.store.addPublication(publication);
      this.list = [...this.list, publication];
      this.file = await signPublications(this.calendar.origin, this.list, this.signer);
      this.log.info({ size, time: publication.time }, 'publication made');
      return publication;
    });
    this.queue = run.catch((err: unknown) => this.log.error({ err: String(err) }, 'publication failed'));
    return run;
  }
}
