/** A clock the test moves by hand. Services take `() => Date` so tests can fix time. */
export class FakeClock {
  private ms: number;
  constructor(start: Date | string = '2026-01-15T10:00:00Z') {
    this.ms = new Date(start).getTime();
  }
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
  set(date: Date | string): void {
    this.ms = new Date(date).getTime();
  }
}
