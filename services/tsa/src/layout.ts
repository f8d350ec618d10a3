import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TsaError } from './errors.js';

/**
 * Where the time-stamping service keeps its state under the data directory:
 *
 *   <data>/tsa/tsa.json            identity and settings (instance, calendar origin, rounds, …)
 *   <data>/tsa/keys/               software keystore: "tsa" (P-384, RFC 3161 tokens) and
 *                                  "calendar" (Ed25519, checkpoints and publications files)
 *   <data>/tsa/certs/tsa.pem       the TSA certificate; chain.pem its issuing CA(s); root.pem the root
 *   <data>/tsa/calendar.vkey       the calendar's checkpoint verifier key (publish it)
 *   <data>/tsa/operator.token      bearer token of the operator API (mode 0600)
 *   <data>/tsa/tsa.db              SQLite database: the calendar and publications
 */
export function tsaPaths(dataDir: string) {
  const dir = join(dataDir, 'tsa');
  return {
    dir,
    config: join(dir, 'tsa.json'),
    keys: join(dir, 'keys'),
    certificate: join(dir, 'certs', 'tsa.pem'),
    chain: join(dir, 'certs', 'chain.pem'),
    root: join(dir, 'certs', 'root.pem'),
    vkey: join(dir, 'calendar.vkey'),
    operatorToken: join(dir, 'operator.token'),
    database: join(dir, 'tsa.db'),
  };
}

/** Settings a deployment may change (tsa.json, or the --config file of riik serve tsa). */
export const tsaSettingsSchema = z
  .object({
    /** Aggregation round length (default 1000 ms; 100 ms is the shortest riik is meant for). */
    roundMs: z.number().int().min(10).max(60_000).optional(),
    /** A round closes early when it has this many leaves (default 1,000,000). */
    maxRoundSize: z
      .number()
      .int()
      .min(1)
      .max(1 << 24)
      .optional(),
    /** How often a publication is made (default one day). */
    publicationIntervalMs: z.number().int().min(100).optional(),
    /** RFC 3161 policies the TSA issues under; the first is the default. */
    policies: z
      .array(z.string().regex(/^[0-2](\.\d+)+$/))
      .min(1)
      .optional(),
    /** Accuracy the TSA claims for genTime, in ms (default 1000). */
    accuracyMs: z.number().int().min(1).max(3_600_000).optional(),
  })
  .strict();
export type TsaSettings = z.infer<typeof tsaSettingsSchema>;

export const tsaConfigSchema = tsaSettingsSchema.extend({
  version: z.literal(1),
  instance: z.string().min(1),
  /** The calendar's checkpoint origin (also the note key name). */
  origin: z.string().regex(/^[^\s+]{1,128}$/),
  createdAt: z.string(),
});
export type TsaConfig = z.infer<typeof tsaConfigSchema>;

export function readTsaConfig(dataDir: string): TsaConfig {
  const file = tsaPaths(dataDir).config;
  if (!existsSync(file))
    throw new TsaError(
      'NOT_INITIALISED',
      `no time-stamping service in ${dataDir}; run: riik tsa init --data ${dataDir}`,
    );
  const parsed = tsaConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new TsaError('BAD_CONFIG', `${file} is not a valid TSA configuration`);
  return parsed.data;
}

export function readTsaSettings(file: string): TsaSettings {
  const parsed = tsaSettingsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new TsaError(
      'BAD_CONFIG',
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
