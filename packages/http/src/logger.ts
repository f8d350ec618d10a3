import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (one object per line on stdout). `RIIK_LOG_LEVEL` overrides the level;
 * tests pass `silent`.
 */
export function createLogger(name: string, level = process.env.RIIK_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { service: name } });
}
