import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OcspRevocationChecker, WebEidValidator } from '@riik/authn';
import {
  createHttpService,
  createLogger,
  Router,
  type HttpService,
  type Logger,
  type Route,
} from '@riik/http';
import { DOCUMENT_POLICY, type OcspFetch } from '@riik/pki';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Database } from '@riik/storage';
import { startBackgroundCheckpoints, type BackgroundCheckpoints } from './db/checkpoints.js';
import { authMigrations, type AuthDatabase } from './db/schema.js';
import { authPaths, readAuthConfig, readAuthSecrets, readTrustedCas, type AuthConfig } from './layout.js';
import { RateLimiter } from './login/rate-limit.js';
import { loginRoutes } from './login/routes.js';
import { SkClient } from './login/sk-client.js';
import { sweepExpired } from './oidc/adapter.js';
import { createProvider } from './oidc/provider.js';
import { demoRoutes } from './demo.js';
import { SkService } from './sk/service.js';
import { skRoutes } from './sk/routes.js';

export interface StartAuthOptions {
  dataDir: string;
  port: number;
  host?: string;
  log?: Logger;
  /** postgres:// URL; default SQLite in the data directory. */
  databaseUrl?: string;
  databaseSchema?: string;
  /**
   * The issuer URL: the configured one by default; `'listen'` uses the URL the service actually
   * listens on (tests on port 0).
   */
  issuer?: string;
  now?: () => Date;
  ocspFetch?: OcspFetch;
  /** Overrides of the configuration (tests, benchmarks). */
  overrides?: Partial<Pick<AuthConfig, 'ocspCacheSeconds' | 'rateLimits' | 'cardReaderUrl'>>;
  /** How long SK waits for the phone (default 2 min). */
  skSessionTimeoutMs?: number;
}

export interface RunningAuth {
  url: string;
  issuer: string;
  http: HttpService;
  database: Database<AuthDatabase>;
  sk: SkService;
  close(): Promise<void>;
}

/**
 * Start the login service: the OpenID Provider, the login page and, under /sk, the simulated
 * SK service for Mobile-ID and Smart-ID, on one port.
 */
export async function startAuthServer(options: StartAuthOptions): Promise<RunningAuth> {
  const log = options.log ?? createLogger('auth');
  const now = options.now ?? (() => new Date());
  const config = { ...readAuthConfig(options.dataDir), ...options.overrides };
  const secrets = readAuthSecrets(options.dataDir);
  const trustedCas = readTrustedCas(options.dataDir);
  const databaseUrl = options.databaseUrl ?? authPaths(options.dataDir).database;
  const database = await openDatabase<AuthDatabase>({
    url: databaseUrl,
    ...(options.databaseSchema ? { schema: options.databaseSchema } : {}),
  });
  await migrateToLatest(database, authMigrations, 'auth');
  let checkpoints: BackgroundCheckpoints | undefined;
  if (database.dialect === 'sqlite') {
    // Login state lives minutes; WAL with synchronous=NORMAL survives a crash of the service and
    // loses at most the last moments on power loss (people then log in again), and saves an
    // fsync on every one of a login's dozen writes. A 16 MiB page cache holds the hot index
    // pages of a busy service (the default is 2 MiB).
    await sql`PRAGMA synchronous = NORMAL`.execute(database.db);
    await sql`PRAGMA cache_size = -16384`.execute(database.db);
    if (databaseUrl !== ':memory:') {
      const autocheckpoint = sql`PRAGMA wal_autocheckpoint = 1000`;
      checkpoints = await startBackgroundCheckpoints(databaseUrl, {
        onError: (message) => log.warn({ err: message }, 'WAL checkpoint failed'),
        onStopped: (message) => {
          log.error({ err: message }, 'WAL checkpoint worker stopped; checkpointing on commit again');
          autocheckpoint.execute(database.db).catch(() => undefined);
        },
      }).catch((err: unknown) => {
        log.warn({ err: String(err) }, 'no WAL checkpoint worker; checkpointing on commit');
        return undefined;
      });
      if (checkpoints) await sql`PRAGMA wal_autocheckpoint = 0`.execute(database.db);
    }
  }
  const db = database.db;

  const sk = new SkService({
    db,
    relyingParties: [{ uuid: config.sk.relyingPartyUUID, name: config.sk.relyingPartyName }],
    trustedCas,
    now,
    ...(options.skSessionTimeoutMs ? { sessionTimeoutMs: options.skSessionTimeoutMs } : {}),
  });

  // The provider and the login routes need the issuer, known only after listening on port 0:
  // they are routed by a second router, built once the URL is known.
  const late: {
    app?: { router: Router; callback: (req: IncomingMessage, res: ServerResponse) => Promise<void> };
  } = {};
  const dynamic: Route = {
    method: ['GET', 'POST', 'OPTIONS', 'HEAD', 'PUT', 'DELETE', 'PATCH'],
    path: '/*',
    name: 'login+oidc',
    handler: async (ctx) => {
      const app = late.app;
      if (!app) return void ctx.res.writeHead(503).end();
      const match = app.router.match(ctx.req.method ?? 'GET', ctx.url.pathname);
      if (match && match !== 'method') return match.route.handler({ ...ctx, params: match.params });
      await app.callback(ctx.req, ctx.res);
    },
  };
  const http = createHttpService({
    name: 'auth',
    log,
    routes: [...skRoutes(sk), dynamic],
    handlerTimeoutMs: 60_000,
    health: () => ({ ok: late.app !== undefined }),
  });
  const address: AddressInfo = await http.listen(options.port, options.host);
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  const issuer = options.issuer === 'listen' ? url : (options.issuer ?? config.issuer);

  const provider = createProvider(issuer, config, secrets, db);
  const revocation = new OcspRevocationChecker({
    now,
    cacheMs: config.ocspCacheSeconds * 1000,
    ...(options.ocspFetch ? { fetch: options.ocspFetch } : {}),
  });
  const webEid = new WebEidValidator({
    trustedCaCertificates: trustedCas,
    allowedPolicies: [
      DOCUMENT_POLICY['id-card'].auth,
      DOCUMENT_POLICY['digi-id'].auth,
      DOCUMENT_POLICY['e-resident'].auth,
    ],
    revocation,
    now,
  });
  const demoClient = config.clients.find((c) => c.client_id === config.demoClientId);
  const callback = provider.callback() as unknown as (
    req: IncomingMessage,
    res: ServerResponse,
  ) => Promise<void>;
  late.app = {
    callback,
    router: new Router([
      ...(demoClient ? demoRoutes(issuer, demoClient) : []),
      ...loginRoutes({
        provider,
        db,
        issuer,
        cardReaderUrl: config.cardReaderUrl,
        webEid,
        trustedCas,
        revocation,
        sk: new SkClient(config.sk.url ?? `${issuer}/sk`, {
          relyingPartyUUID: config.sk.relyingPartyUUID,
          relyingPartyName: config.sk.relyingPartyName,
        }),
        perIp: new RateLimiter(config.rateLimits.perIpPerMinute, 60_000, now),
        perPerson: new RateLimiter(config.rateLimits.perPersonPerMinute, 60_000, now),
        csrfKey: createHash('sha256').update(`riik-auth-csrf:${secrets.cookieKeys[0]}`).digest(),
        now,
      }),
    ]),
  };
  const sweeper = setInterval(() => {
    sweepExpired(db, now()).catch((err: unknown) => log.warn({ err: String(err) }, 'sweep failed'));
  }, 60_000);
  sweeper.unref();
  log.info({ url, issuer }, 'login service listening');
  return {
    url,
    issuer,
    http,
    database,
    sk,
    close: async () => {
      clearInterval(sweeper);
      await http.close();
      await checkpoints?.close();
      await database.close();
    },
  };
}
