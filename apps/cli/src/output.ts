import { CodedError } from '@riik/core/errors';

/** A CLI failure with an exit code; printed as "riik: CODE: message" (or JSON with --json). */
export class CliError extends CodedError<string> {
  constructor(
    code: string,
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function println(text = ''): void {
  process.stdout.write(text + '\n');
}

/**
 * A progress line on stderr for long-running work (only on a terminal, so scripts and logs
 * stay clean): "label  1234/10000  12% 456/s".
 */
export class Progress {
  private readonly started = Date.now();
  private last = 0;
  private readonly tty = process.stderr.isTTY;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number): void {
    const now = Date.now();
    if (!this.tty || (now - this.last < 100 && done < this.total)) return;
    this.last = now;
    const rate = done / Math.max(0.001, (now - this.started) / 1000);
    const pct = Math.floor((done / Math.max(1, this.total)) * 100);
    process.stderr.write(`\r${this.label}  ${done}/${this.total}  ${pct}%  ${rate.toFixed(0)}/s   `);
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
