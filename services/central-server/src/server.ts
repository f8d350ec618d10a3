import { readFileSync } from 'node:fs';
import { createHttpService, createLogger, type HttpService, type Logger } from '@riik/http';
import { centralRoutes } from './api/routes.js';
import { Registry } from './db/registry.js';
import { loadConfSigning } from './init.js';
import { centralPaths, readCentralConfig, type CentralConfig } from './layout.js';
import { GlobalConfPublisher } from './publisher.js';

export interface StartCentralOptions {
  dataDir: string;
  port: number;
  host?: string;
  log?: Logger;
  databaseUrl?: string;
  databaseSchema?: string;
  now?: () => Date;
  /** Override settings of central.json (tests shorten the intervals). */
  gconf?: Partial<CentralConfig['gconf']>;
}

export interface RunningCentral {
  registry: Registry;
  publisher: GlobalConfPublisher;
  http: HttpService;
  url: string;
  close(): Promise<void>;
}

/** Start the central server: registry, global configuration publisher and HTTP API. */
export async function startCentralServer(options: StartCentralOptions): Promise<RunningCentral> {
  const log = options.log ?? createLogger('central-server');
  const now = options.now ?? (() => new Date());
  const stored = readCentralConfig(options.dataDir);
  const config: CentralConfig = { ...stored, gconf: { ...stored.gconf, ...options.gconf } };
  const paths = centralPaths(options.dataDir);
  const registry = await Registry.open(
    options.databaseUrl ?? paths.database,
    config.instance,
    options.databaseSchema,
  );
  const publisher = new GlobalConfPublisher(registry, config, loadConfSigning(options.dataDir), log, now);
  await publisher.start();
  const http = createHttpService({
    name: 'central-server',
    log,
    routes: centralRoutes({
      registry,
      publisher,
      operatorToken: readFileSync(paths.operatorToken, 'utf8').trim(),
      anchorXml: () => readFileSync(paths.anchor, 'utf8'),
      now,
    }),
    health: () => ({
      ok: publisher.healthy(),
      instance: config.instance,
      generation: publisher.directory()?.generation ?? null,
      expires: publisher.directory()?.expireDate.toISOString() ?? null,
    }),
  });
  const address = await http.listen(options.port, options.host);
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  log.info({ url, instance: config.instance }, 'central server listening');
  return {
    registry,
    publisher,
    http,
    url,
    close: async () => {
      publisher.stop();
      await http.close();
      await registry.close();
    },
  };
}
