import type { ServiceDefinition } from './types.js';

/*
 * What `riik serve <name>` runs. Each service loads only its own package when it starts: a process
 * of the e-state runs one service, and loading every service's code (the whole CLI) cost each of
 * them some 30 MiB of memory and start-up time. The components (registry.ts) list the same
 * definitions.
 */

const logger = async (name: string) => (await import('@riik/http')).createLogger(name);

export const caService: ServiceDefinition = {
  name: 'ca',
  description: 'certification authority: OCSP responder, CRLs, CA certificates, operator API',
  start: async (o) => {
    const { startCaServer } = await import('@riik/service-ca');
    return startCaServer({
      dataDir: o.dataDir,
      port: o.port,
      host: o.host,
      log: await logger('ca'),
      ...(o.db ? { databaseUrl: o.db } : {}),
    });
  },
};

export const tsaService: ServiceDefinition = {
  name: 'tsa',
  description: 'time-stamping: RFC 3161 TSA (/tsa) and the KSI-style aggregator and calendar (/ksi/v1)',
  start: async (o) => {
    const { readTsaSettings, startTsaServer } = await import('@riik/service-tsa');
    return startTsaServer({
      dataDir: o.dataDir,
      port: o.port,
      host: o.host,
      log: await logger('tsa'),
      ...(o.db ? { databaseUrl: o.db } : {}),
      ...(o.config ? readTsaSettings(o.config) : {}),
    });
  },
};

export const authService: ServiceDefinition = {
  name: 'auth',
  description:
    'login service: OpenID Connect provider with ID-card, Mobile-ID and Smart-ID, simulated SK API',
  start: async (o) => {
    const { startAuthServer } = await import('@riik/service-auth');
    return startAuthServer({
      dataDir: o.dataDir,
      port: o.port,
      host: o.host,
      log: await logger('auth'),
      ...(o.db ? { databaseUrl: o.db } : {}),
    });
  },
};

export const centralServerService: ServiceDefinition = {
  name: 'central-server',
  description: 'X-Road central server: registry, registration requests, signed global configuration',
  start: async (o) => {
    const { startCentralServer } = await import('@riik/service-central-server');
    return startCentralServer({
      dataDir: o.dataDir,
      port: o.port,
      host: o.host,
      log: await logger('central-server'),
      ...(o.db ? { databaseUrl: o.db } : {}),
    });
  },
};

export const rrService: ServiceDefinition = {
  name: 'rr',
  description: 'Population Register information system (REST service persons, behind ss-rr)',
  start: async (o) => {
    const { startRr } = await import('@riik/service-rr');
    return startRr({
      dataDir: o.dataDir,
      port: o.port,
      host: o.host,
      log: await logger('rr'),
      ...(o.db ? { databaseUrl: o.db } : {}),
    });
  },
};

export const securityServerService: ServiceDefinition = {
  name: 'security-server',
  description: 'X-Road security server (--config <data>/security-servers/<name>/config.json)',
  start: async (o) => {
    if (!o.config) throw new Error('riik serve security-server needs --config <file>');
    const { readSecurityServerConfig, startSecurityServer } = await import('@riik/service-security-server');
    const config = readSecurityServerConfig(o.dataDir, '', o.config);
    const running = await startSecurityServer({
      dataDir: o.dataDir,
      name: config.name,
      configFile: o.config,
      overrides: { ...(o.port ? { clientProxyPort: o.port } : {}), host: o.host },
      log: await logger(`security-server:${config.name}`),
      ...(o.db ? { databaseUrl: o.db } : {}),
    });
    return { url: running.clientUrl, close: () => running.close() };
  },
};

/** Every service, in the components' start order. */
export const SERVICES: ReadonlyArray<ServiceDefinition> = [
  caService,
  tsaService,
  authService,
  centralServerService,
  rrService,
  securityServerService,
];

export function serviceByName(name: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.name === name);
}
