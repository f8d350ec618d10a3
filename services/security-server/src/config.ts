import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { SecurityServerError } from './errors.js';
import { securityServerPaths } from './layout.js';

const endpointSchema = z.object({
  method: z.string().min(1).max(16),
  path: z.string().min(1).max(1024),
});

/** A REST service the server's clients provide (PR-MREST: REST or OPENAPI). */
export const serviceSeedSchema = z.object({
  /** Provider subsystem (a client of this server), e.g. EE-DEV/GOV/70000562/rr. */
  provider: z.string().min(1),
  serviceCode: z.string().min(1).max(255),
  /** Base URL of the provider service; the request's service path is appended. */
  url: z.url(),
  type: z.enum(['REST', 'OPENAPI']).default('REST'),
  /** OpenAPI 3 description (JSON or YAML) to load endpoints from, for OPENAPI services. */
  openApiUrl: z.url().optional(),
  endpoints: z.array(endpointSchema).default([]),
  timeoutSeconds: z.number().int().min(1).max(3600).default(60),
});
export type ServiceSeed = z.infer<typeof serviceSeedSchema>;

export const accessRightSeedSchema = z.object({
  provider: z.string().min(1),
  serviceCode: z.string().min(1),
  /** Endpoint the right is for; the service as a whole (`* **`) when omitted. */
  endpoint: endpointSchema.optional(),
  /** A client identifier, `GLOBALGROUP:INSTANCE/code` or `LOCALGROUP:code`. */
  subject: z.string().min(1),
});
export type AccessRightSeed = z.infer<typeof accessRightSeedSchema>;

export const securityServerConfigSchema = z.object({
  version: z.literal(1),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  /** EE-DEV/GOV/70000562/ss-rr */
  serverId: z.string().min(1),
  /** Local clients (subsystems) this server hosts. */
  clients: z.array(z.string().min(1)).default([]),
  /** The configuration anchor file given out of band by the central server's operator. */
  anchorFile: z.string().min(1),
  host: z.string().default('127.0.0.1'),
  clientProxyPort: z.number().int().min(0).max(65535),
  serverProxyPort: z.number().int().min(0).max(65535),
  /**
   * Serve the client proxy (and /healthz, /metrics, /admin) over TLS instead of plain HTTP; with
   * `caFile`, information systems must present a client certificate from those CAs.
   */
  clientProxyTls: z
    .object({ certFile: z.string().min(1), keyFile: z.string().min(1), caFile: z.string().min(1).optional() })
    .optional(),
  /** Address other security servers reach the server proxy at (registered in the central server). */
  publicAddress: z.string().min(1),
  globalConf: z
    .object({ refreshSeconds: z.number().min(0.1).max(3600).default(60) })
    .default({ refreshSeconds: 60 }),
  ocsp: z
    .object({
      /** How often the server renews the OCSP responses of its own certificates. */
      refreshSeconds: z.number().min(0.1).max(86_400).default(60),
      /** How long a verified peer certificate status is reused before it is checked again. */
      peerCacheSeconds: z.number().min(0).max(3600).default(30),
    })
    .default({ refreshSeconds: 60, peerCacheSeconds: 30 }),
  timestamping: z
    .object({
      /** Extra TSA URLs tried before those the global configuration approves (riik's TSA). */
      urls: z.array(z.url()).default([]),
      /** Time-stamp the pending log records this often (X-Road's timestamper interval). */
      intervalSeconds: z.number().min(0.1).max(86_400).default(60),
      /** Time-stamp every record before the message is answered (X-Road's timestamp-immediately). */
      immediate: z.boolean().default(false),
      /**
       * Refuse new messages when the oldest record still without a time-stamp is older than this
       * (X-Road's acceptable-timestamp-failure-period, default 14400 s).
       */
      gracePeriodSeconds: z
        .number()
        .min(1)
        .max(7 * 86_400)
        .default(14_400),
      /** Most records in one batch time-stamp. */
      batchMax: z.number().int().min(1).max(100_000).default(10_000),
    })
    .default({
      urls: [],
      intervalSeconds: 60,
      immediate: false,
      gracePeriodSeconds: 14_400,
      batchMax: 10_000,
    }),
  messageLog: z
    .object({
      /**
       * SQLite commit durability. `full` (default) syncs every group commit's write-ahead log to
       * disk before the messages in it go on (off the event loop, db/durability.ts), so a logged
       * message survives power loss; `normal` (no sync per commit) survives a crash of the security
       * server but not of the machine, and takes the disk out of every exchange's latency.
       * PostgreSQL follows its own synchronous_commit.
       */
      sync: z.enum(['full', 'normal']).default('full'),
    })
    .default({ sync: 'full' }),
  archive: z
    .object({
      /** How often time-stamped records are moved into archives (0 = only on demand). */
      intervalSeconds: z.number().min(0).max(86_400).default(3600),
      /** Most records per archive file. */
      maxRecords: z.number().int().min(1).max(1_000_000).default(10_000),
    })
    .default({ intervalSeconds: 3600, maxRecords: 10_000 }),
  limits: z
    .object({
      /** Largest request or response body passed through. */
      maxBodyBytes: z
        .number()
        .int()
        .min(0)
        .default(1024 * 1024 * 1024),
      /** Bodies up to this size are verified before anything is forwarded; larger ones stream. */
      bufferBytes: z
        .number()
        .int()
        .min(0)
        .default(256 * 1024),
      /** Whole-exchange timeout. */
      timeoutSeconds: z.number().min(1).max(3600).default(120),
    })
    .default({ maxBodyBytes: 1024 * 1024 * 1024, bufferBytes: 256 * 1024, timeoutSeconds: 120 }),
  /** Services and access rights written into the database on first start. */
  seed: z
    .object({
      services: z.array(serviceSeedSchema).default([]),
      accessRights: z.array(accessRightSeedSchema).default([]),
      localGroups: z
        .array(
          z.object({
            code: z.string().min(1),
            description: z.string().default(''),
            members: z.array(z.string()),
          }),
        )
        .default([]),
    })
    .default({ services: [], accessRights: [], localGroups: [] }),
});
export type SecurityServerConfig = z.infer<typeof securityServerConfigSchema>;

export function readSecurityServerConfig(dataDir: string, name: string, file?: string): SecurityServerConfig {
  const path = file ?? securityServerPaths(dataDir, name).config;
  if (!existsSync(path))
    throw new SecurityServerError('NOT_INITIALISED', `no security server configuration at ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new SecurityServerError('BAD_CONFIG', `${path} is not JSON`, { cause });
  }
  const parsed = securityServerConfigSchema.safeParse(json);
  if (!parsed.success)
    throw new SecurityServerError(
      'BAD_CONFIG',
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
