import { existsSync } from 'node:fs';
import { createLogger } from '@riik/http';
import { caPaths, initCa, startCaServer } from '@riik/service-ca';
import { readTsaSettings, startTsaServer, tsaPaths } from '@riik/service-tsa';
import { provisionTsa } from './tsa.js';
import { centralServerComponent, rrComponent, securityServersComponent } from './xroad.js';

/** What `riik serve <name>` runs and what `riik up` starts. */
export interface ServeOptions {
  dataDir: string;
  port: number;
  host: string;
  /** postgres:// URL; default embedded SQLite in the data directory. */
  db?: string;
  /** Service-specific JSON configuration file. */
  config?: string;
}

export interface Running {
  url: string;
  close(): Promise<void>;
}

export interface ServiceDefinition {
  /** `riik serve <name>` */
  name: string;
  description: string;
  start(options: ServeOptions): Promise<Running>;
}

/** One process of the local e-state as `riik up` starts it. */
export interface EstateProcess {
  /** Unique name in `riik status` (e.g. "ca", "ss-rr"). */
  name: string;
  /** What it is: ca, tsa, central-server, security-server, auth, ... */
  kind: string;
  service: string;
  port: number;
  /** Extra `riik serve` arguments (e.g. --config). */
  args?: string[];
  /** Extra fields for `riik status` (e.g. owner and clientUrl of a security server). */
  status?: Record<string, unknown>;
}

export interface EstateContext {
  dataDir: string;
  portBase: number;
  host: string;
}

/** A component of the e-state: its services, how to prepare its data, and its processes in `riik up`. */
export interface Component {
  services: ServiceDefinition[];
  /** Create keys, certificates, databases and configs on first start (idempotent). */
  prepare?(ctx: EstateContext): Promise<void>;
  processes(ctx: EstateContext): EstateProcess[];
}

const caComponent: Component = {
  services: [
    {
      name: 'ca',
      description: 'certification authority: OCSP responder, CRLs, CA certificates, operator API',
      start: async (o) => {
        const running = await startCaServer({
          dataDir: o.dataDir,
          port: o.port,
          host: o.host,
          log: createLogger('ca'),
          ...(o.db ? { databaseUrl: o.db } : {}),
        });
        return running;
      },
    },
  ],
  prepare: async (ctx) => {
    if (!existsSync(caPaths(ctx.dataDir).config)) {
      await initCa({ dataDir: ctx.dataDir, baseUrl: `http://${ctx.host}:${ctx.portBase + 1}` });
    }
  },
  processes: (ctx) => [{ name: 'ca', kind: 'ca', service: 'ca', port: ctx.portBase + 1 }],
};

const tsaComponent: Component = {
  services: [
    {
      name: 'tsa',
      description: 'time-stamping: RFC 3161 TSA (/tsa) and the KSI-style aggregator and calendar (/ksi/v1)',
      start: (o) =>
        startTsaServer({
          dataDir: o.dataDir,
          port: o.port,
          host: o.host,
          log: createLogger('tsa'),
          ...(o.db ? { databaseUrl: o.db } : {}),
          ...(o.config ? readTsaSettings(o.config) : {}),
        }),
    },
  ],
  // After the CA's prepare: the TSA certificate comes from the organisation CA.
  prepare: async (ctx) => {
    if (!existsSync(tsaPaths(ctx.dataDir).config)) await provisionTsa(ctx.dataDir);
  },
  processes: (ctx) => [
    {
      name: 'tsa',
      kind: 'tsa',
      service: 'tsa',
      port: ctx.portBase + 2,
      status: {
        rfc3161: `http://${ctx.host}:${ctx.portBase + 2}/tsa`,
        ksi: `http://${ctx.host}:${ctx.portBase + 2}/ksi/v1`,
      },
    },
  ],
};

/**
 * The components of the e-state, in start order (later ones may depend on earlier ones being
 * healthy). Each new service adds its component here.
 */
export const COMPONENTS: Component[] = [
  caComponent,
  tsaComponent,
  centralServerComponent,
  rrComponent,
  securityServersComponent,
];

export function serviceByName(name: string): ServiceDefinition | undefined {
  return COMPONENTS.flatMap((c) => c.services).find((s) => s.name === name);
}
