import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CentralError } from './errors.js';

/**
 * Where the central server keeps its state under the data directory:
 *
 *   <data>/central-server/central.json                 identity and global configuration settings
 *   <data>/central-server/keys/                        configuration signing key (encrypted PKCS#8)
 *   <data>/central-server/conf-signing.pem             its certificate (the anchor's verificationCert)
 *   <data>/central-server/configuration-anchor.xml     the anchor security servers are given out of band
 *   <data>/central-server/operator.token               bearer token of the operator API (mode 0600)
 *   <data>/central-server/central.db                   SQLite registry (unless a postgres:// URL is given)
 */
export function centralPaths(dataDir: string) {
  const dir = join(dataDir, 'central-server');
  return {
    dir,
    config: join(dir, 'central.json'),
    keys: join(dir, 'keys'),
    signingCert: join(dir, 'conf-signing.pem'),
    anchor: join(dir, 'configuration-anchor.xml'),
    operatorToken: join(dir, 'operator.token'),
    database: join(dir, 'central.db'),
  };
}

export const centralConfigSchema = z.object({
  version: z.literal(1),
  instance: z.string().min(1).max(64),
  /** Public base URL of the central server (the anchor's download URL derives from it). */
  baseUrl: z.url(),
  gconf: z.object({
    /** How often the directory is regenerated and re-signed (default 60 s). */
    intervalSeconds: z.number().int().min(1).max(86_400),
    /** Validity of each signed directory (default 600 s). */
    expireSeconds: z
      .number()
      .int()
      .min(2)
      .max(7 * 86_400),
    /** Published in shared parameters: the oldest OCSP response (producedAt) accepted. */
    ocspFreshnessSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400),
    /** Published in private parameters: how soon logged signatures must be time-stamped. */
    timeStampingIntervalSeconds: z.number().int().min(1).max(86_400),
  }),
  createdAt: z.string(),
});
export type CentralConfig = z.infer<typeof centralConfigSchema>;

export function readCentralConfig(dataDir: string): CentralConfig {
  const file = centralPaths(dataDir).config;
  if (!existsSync(file))
    throw new CentralError(
      'NOT_INITIALISED',
      `no central server in ${dataDir}; run riik up or riik central init`,
    );
  const parsed = centralConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new CentralError('BAD_CONFIG', `${file} is not a valid central server configuration`);
  return parsed.data;
}
