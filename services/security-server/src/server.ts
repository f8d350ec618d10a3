import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createHttpService, createLogger, type HttpService, type Logger } from '@riik/http';
import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type Database } from '@riik/storage';
import { SecurityServerId, XRoadClientId, XRoadFault, type GlobalConf } from '@riik/xroad';
import { adminRoutes } from './api/admin.js';
import { CertChecker, CertRefused } from './cert-checker.js';
import { readSecurityServerConfig, type SecurityServerConfig } from './config.js';
import type { SecurityServerContext } from './context.js';
import { alreadyDurable, WalSync, type Durable } from './db/durability.js';
import { GroupWriter } from './db/group-writer.js';
import { securityServerMigrations, type SecurityServerDatabase } from './db/schema.js';
import { GlobalConfClient } from './gconf-client.js';
import { securityServerPaths } from './layout.js';
import { archiveMessageLog } from './messagelog/archiver.js';
import { MessageLog } from './messagelog/log.js';
import { Timestamper } from './messagelog/timestamper.js';
import { OperationalMonitor } from './opmon.js';
import { OwnCerts } from './own-certs.js';
import { ClientProxy } from './proxy/client-proxy.js';
import { ServerProxy } from './proxy/server-proxy.js';
import { endpointsFromOpenApi, ServerConf } from './serverconf.js';
import { BatchSigner } from './signer.js';
import { PeerAgent, tlsContextOptions } from './tls.js';
import { MessageVerifier } from './verifier.js';

export interface StartSecurityServerOptions {
  dataDir: string;
  name: string;
  /** A configuration file other than `<data>/security-servers/<name>/config.json`. */
  configFile?: string;
  /** Overrides of the configuration (tests). */
  overrides?: Partial<SecurityServerConfig>;
  log?: Logger;
  databaseUrl?: string;
  databaseSchema?: string;
  now?: () => Date;
}

export interface RunningSecurityServer {
  readonly context: SecurityServerContext;
  readonly clientUrl: string;
  readonly serverUrl: string;
  readonly http: HttpService;
  readonly serverProxy: HttpsServer;
  archive(): Promise<string[]>;
  close(): Promise<void>;
}

const lenient = { policy: 'lenient' } as const;

/**
 * Start a security server: load its configuration and keys, download the global configuration, fetch
 * the OCSP responses of its own certificates, open its database, and listen with the client proxy
 * (plain HTTP for the local information systems, plus /healthz, /metrics and the admin API) and the
 * server proxy (HTTPS with mutual TLS for other security servers).
 */
export async function startSecurityServer(
  options: StartSecurityServerOptions,
): Promise<RunningSecurityServer> {
  const config: SecurityServerConfig = {
    ...readSecurityServerConfig(options.dataDir, options.name, options.configFile),
    ...options.overrides,
  };
  const log = options.log ?? createLogger(`security-server:${config.name}`);
  const now = options.now ?? (() => new Date());
  const paths = securityServerPaths(options.dataDir, config.name);
  const serverId = SecurityServerId.parse(config.serverId, lenient);
  const localClients = [serverId.owner, ...config.clients.map((c) => XRoadClientId.parse(c, lenient))];

  const database: Database<SecurityServerDatabase> = await openDatabase<SecurityServerDatabase>({
    url: options.databaseUrl ?? paths.database,
    ...(options.databaseSchema ? { schema: options.databaseSchema } : {}),
  });
  await migrateToLatest(database, securityServerMigrations, 'security_server');
  const db = database.db;
  // SQLite commits without a sync in the commit; `durable` syncs the write-ahead log off the event
  // loop (WalSync) when the configuration asks for full durability. PostgreSQL syncs at commit.
  const databaseFile = options.databaseUrl ?? paths.database;
  let walSync: WalSync | undefined;
  let durable: Durable = alreadyDurable;
  if (database.dialect === 'sqlite') {
    await sql`PRAGMA synchronous = NORMAL`.execute(db);
    if (config.messageLog.sync === 'full' && databaseFile !== ':memory:') {
      walSync = new WalSync(databaseFile);
      durable = walSync.sync;
    }
  }
  const writer = new GroupWriter(db, durable);
  const serverConf = new ServerConf(db, now, durable);
  await serverConf.load();
  await serverConf.applySeed(config.seed);

  const checker = new CertChecker(now);
  const gconf = new GlobalConfClient(config.anchorFile, config.globalConf.refreshSeconds * 1000, log, now);
  const own = new OwnCerts(options.dataDir, config.name, checker, log);
  await gconf
    .refresh()
    .catch((err: unknown) => log.warn({ err: String(err) }, 'no global configuration yet'));
  const conf0 = gconf.current();
  if (conf0) await own.refresh(conf0);

  const messageLog = new MessageLog(db, writer, config.timestamping.gracePeriodSeconds * 1000, now);
  await messageLog.init();
  const timestamper = new Timestamper(db, messageLog, config.timestamping, () => gconf.valid(), log, now);
  await timestamper.init();

  const http = createHttpService({
    name: `security-server`,
    log,
    routes: [],
    handlerTimeoutMs: (config.limits.timeoutSeconds + 10) * 1000,
    requestTimeoutMs: (config.limits.timeoutSeconds + 10) * 1000,
    health: () => {
      const conf = gconf.valid();
      const problems = [
        ...(conf ? [] : [`global configuration: ${gconf.error ?? 'expired or missing'}`]),
        ...(own.problem('auth') ? [`authentication certificate: ${own.problem('auth')}`] : []),
        ...(own.problem('sign') ? [`signing certificate: ${own.problem('sign')}`] : []),
      ];
      return {
        ok: problems.length === 0,
        serverId: serverId.encode(),
        problems,
        acceptingMessages: messageLog.refusal() === undefined,
        lastTimestamp: timestamper.lastSuccess?.toISOString() ?? null,
      };
    },
  });
  const opmon = new OperationalMonitor(db, writer, http.metrics.registry, (err) =>
    log.error({ err: String(err) }, 'operational monitoring write failed'),
  );
  await opmon.init();

  // Connections to other security servers: rebuilt when the trusted CAs change.
  const peerCheck = (
    peer: Parameters<ConstructorParameters<typeof PeerAgent>[1]>[0],
    stapled: Buffer | undefined,
    target: string,
  ) => {
    const conf = gconf.valid();
    if (!conf)
      throw new XRoadFault('Server.ClientProxy.OutdatedGlobalConf', 'the global configuration has expired');
    const server = conf.serverByAuthCert(peer);
    if (!server)
      throw new XRoadFault(
        'Server.ClientProxy.SslAuthenticationFailed',
        `${target} presented an authentication certificate that is not registered`,
      );
    if (server.address !== target)
      throw new XRoadFault(
        'Server.ClientProxy.SslAuthenticationFailed',
        `${target} presented the certificate of ${server.id.encode()}`,
      );
    try {
      checker.check(peer, stapled ? [new Uint8Array(stapled)] : [], conf);
    } catch (err) {
      if (err instanceof CertRefused) throw err.toFault('Server.ClientProxy', 'SslAuthenticationFailed');
      throw err;
    }
  };
  const peerAgeMs = Math.max(1000, config.ocsp.peerCacheSeconds * 1000);
  let agent: PeerAgent | undefined;
  const buildAgent = (conf: GlobalConf) => {
    const previous = agent;
    agent = new PeerAgent(tlsContextOptions(options.dataDir, config.name, own, conf), peerCheck, peerAgeMs);
    previous?.destroy();
  };

  const context: SecurityServerContext = {
    config,
    serverId,
    localClients,
    gconf,
    serverConf,
    own,
    checker,
    signer: new BatchSigner(() => {
      const ocsp = own.ocsp('sign');
      return ocsp && !own.problem('sign') ? { ...own.sign, ocspResponses: [ocsp] } : undefined;
    }, now),
    verifier: new MessageVerifier(checker),
    messageLog,
    timestamper,
    opmon,
    peers: () => {
      if (!agent) {
        const conf = gconf.valid();
        if (!conf)
          throw new XRoadFault(
            'Server.ClientProxy.OutdatedGlobalConf',
            'the global configuration has expired',
          );
        buildAgent(conf);
      }
      return agent!;
    },
    log,
    now,
  };

  // --- the client proxy and the local endpoints on one plain HTTP port ---------------------
  const clientProxy = new ClientProxy(context);
  const archive = () =>
    archiveMessageLog(db, { dir: paths.archive, maxRecords: config.archive.maxRecords, now, durable }).then(
      (files) => {
        if (files.length) log.info({ files }, 'message log archived');
        return files;
      },
    );
  const refreshOpenApi = async () => {
    for (const client of localClients)
      for (const s of serverConf.servicesOf(client)) {
        if (s.type !== 'OPENAPI' || !s.openApiUrl) continue;
        try {
          const r = await fetch(s.openApiUrl, { signal: AbortSignal.timeout(5_000) });
          if (r.ok) await serverConf.setEndpoints(s, endpointsFromOpenApi(await r.text()));
        } catch (err) {
          log.warn({ service: s.serviceCode, err: String(err) }, 'cannot load the OpenAPI description');
        }
      }
  };
  const adminToken = existsSync(paths.adminToken) ? readFileSync(paths.adminToken, 'utf8').trim() : undefined;
  const admin = adminToken ? adminRoutes(context, adminToken, { refreshOpenApi, archive }) : [];
  const adminService = createHttpService({
    name: 'security-server-admin',
    log,
    routes: admin,
    metrics: http.metrics,
  });
  const plain = http.server.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  const adminHandler = adminService.server.listeners('request')[0] as (
    req: IncomingMessage,
    res: ServerResponse,
  ) => void;
  http.server.removeAllListeners('request');
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (/^\/r\d+\//.test(url) || url === '/listClients' || url.startsWith('/listClients?'))
      void clientProxy.handle(req, res);
    else if (url.startsWith('/admin/')) adminHandler(req, res);
    else plain(req, res);
  };
  http.server.on('request', dispatch);
  // Optionally TLS towards the information systems too (its own certificate, e.g. from the CA).
  const clientTls = config.clientProxyTls
    ? createHttpsServer(
        {
          cert: readFileSync(config.clientProxyTls.certFile),
          key: readFileSync(config.clientProxyTls.keyFile),
          ...(config.clientProxyTls.caFile
            ? { ca: readFileSync(config.clientProxyTls.caFile), requestCert: true, rejectUnauthorized: true }
            : {}),
          minVersion: 'TLSv1.2',
        },
        dispatch,
      )
    : undefined;

  // --- the server proxy: HTTPS with mutual TLS ------------------------------------------------
  const serverProxy = new ServerProxy(context);
  const initialConf = gconf.current();
  const https = createHttpsServer(
    {
      ...(initialConf ? tlsContextOptions(options.dataDir, config.name, own, initialConf) : {}),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (req, res) => void serverProxy.handle(req, res),
  );
  https.requestTimeout = (config.limits.timeoutSeconds + 10) * 1000;
  https.headersTimeout = 10_000;
  https.keepAliveTimeout = 60_000;
  // OCSP stapling: every handshake carries the current OCSP response of the authentication certificate.
  https.on(
    'OCSPRequest',
    (_cert: Buffer, _issuer: Buffer, cb: (err: Error | null, resp: Buffer | null) => void) => {
      const der = own.ocsp('auth');
      cb(null, der ? Buffer.from(der) : null);
    },
  );
  // A transport message goes out in a few writes with work between them (signing, logging); with
  // Nagle's algorithm each later write would wait for the peer's delayed ACK (40 ms).
  https.on('secureConnection', (socket: TLSSocket) => socket.setNoDelay(true));
  http.server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  clientTls?.on('secureConnection', (socket: TLSSocket) => socket.setNoDelay(true));
  https.on('tlsClientError', (err: Error, socket: TLSSocket) => {
    log.debug({ err: err.message, remote: socket.remoteAddress }, 'TLS handshake refused');
  });
  gconf.onChange((conf) => {
    https.setSecureContext({ ...tlsContextOptions(options.dataDir, config.name, own, conf) });
    buildAgent(conf);
    void own.refresh(conf);
  });

  gconf.start();
  own.start(config.ocsp.refreshSeconds * 1000, () => gconf.current());
  timestamper.start();
  let archiveTimer: NodeJS.Timeout | undefined;
  if (config.archive.intervalSeconds > 0) {
    archiveTimer = setInterval(
      () => void archive().catch((err: unknown) => log.error({ err: String(err) }, 'archiving failed')),
      config.archive.intervalSeconds * 1000,
    );
    archiveTimer.unref();
  }
  void refreshOpenApi();

  const clientAddress = clientTls
    ? await new Promise<AddressInfo>((resolve, reject) => {
        clientTls.once('error', reject);
        clientTls.listen(config.clientProxyPort, config.host, () =>
          resolve(clientTls.address() as AddressInfo),
        );
      })
    : await http.listen(config.clientProxyPort, config.host);
  const serverAddress = await new Promise<AddressInfo>((resolve, reject) => {
    https.once('error', reject);
    https.listen(config.serverProxyPort, config.host, () => resolve(https.address() as AddressInfo));
  });
  const clientUrl = `${clientTls ? 'https' : 'http'}://${config.host}:${clientAddress.port}`;
  const serverUrl = `https://${config.host}:${serverAddress.port}`;
  log.info({ serverId: serverId.encode(), clientUrl, serverUrl }, 'security server listening');

  return {
    context,
    clientUrl,
    serverUrl,
    http,
    serverProxy: https,
    archive,
    close: async () => {
      gconf.stop();
      own.stop();
      timestamper.stop();
      if (archiveTimer) clearInterval(archiveTimer);
      agent?.destroy();
      await new Promise<void>((resolve) => {
        https.close(() => resolve());
        https.closeAllConnections();
      });
      if (clientTls)
        await new Promise<void>((resolve) => {
          clientTls.close(() => resolve());
          clientTls.closeAllConnections();
        });
      await http.close();
      await opmon.flush();
      await writer.idle();
      await walSync?.close();
      await database.close();
    },
  };
}
