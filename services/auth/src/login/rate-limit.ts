/**
 * Fixed-window counters per key (client IP, identification code): enough to slow PIN and
 * identity probing through the login service. In memory, per process; a service run as several
 * processes shares limits only per process (documented in docs/auth.md).
 */
export class RateLimiter {
  private window = -1;
  private counts = new Map<string, number>();

  constructor(
    private readonly limitPerWindow: number,
    private readonly windowMs = 60_000,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Count one attempt; false when `key` is over its limit in this window. */
  hit(key: string): boolean {
    const window = Math.floor(this.now().getTime() / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n <= this.limitPerWindow;
  }

  /** Seconds until the window turns (for Retry-After). */
  retryAfterSeconds(): number {
    const ms = this.now().getTime();
    return Math.ceil((this.windowMs - (ms % this.windowMs)) / 1000);
  }
}
