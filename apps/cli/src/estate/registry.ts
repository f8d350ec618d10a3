import { existsSync } from 'node:fs';
import { createLogger } from '@riik/http';
import { caPaths, initCa, startCaServer } from '@riik/service-ca';
import { startAuthServer } from '@riik/service-auth';
import { authStatus, DEMO_PERSON, demoTokenFiles, prepareAuth } from './auth.js';

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
  /** Lines `riik up` prints once everything is up (how to use the component). */
  notes?(ctx: EstateContext): string[];
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

/** The login service (OIDC provider, login page, simulated SK) on port base + 4. */
const authComponent: Component = {
  services: [
    {
      name: 'auth',
      description:
        'login service: OpenID Connect provider with ID-card, Mobile-ID and Smart-ID, simulated SK API',
      start: (o) =>
        startAuthServer({
          dataDir: o.dataDir,
          port: o.port,
          host: o.host,
          log: createLogger('auth'),
          ...(o.db ? { databaseUrl: o.db } : {}),
        }),
    },
  ],
  prepare: (ctx) =>
    prepareAuth({
      dataDir: ctx.dataDir,
      issuer: `http://${ctx.host}:${ctx.portBase + 4}`,
      cardReaderUrl: `http://127.0.0.1:${ctx.portBase + 9}`,
    }),
  notes: (ctx) => {
    const files = demoTokenFiles(ctx.dataDir);
    const pins = DEMO_PERSON.pins;
    return [
      `log in at http://${ctx.host}:${ctx.portBase + 4}/demo as ${DEMO_PERSON.givenName} ${DEMO_PERSON.surname} (${DEMO_PERSON.idCode}):`,
      `  ID-card:   riik card-reader --token ${files['id-card']}   (PIN1 ${pins.pin1}, PIN2 ${pins.pin2}, PUK ${pins.puk})`,
      `  Smart-ID:  riik smart-id app --token ${files['smart-id']}   (PIN1 ${pins.pin1})`,
      `  Mobile-ID: riik mobile-id app --token ${files['mobile-id']} --phone ${DEMO_PERSON.phone}   (PIN1 ${pins.pin1})`,
    ];
  },
  processes: (ctx) => [
    {
      name: 'auth',
      kind: 'auth',
      service: 'auth',
      port: ctx.portBase + 4,
      status: authStatus(ctx.dataDir, `http://${ctx.host}:${ctx.portBase + 4}`),
    },
  ],
};

/**
 * The components of the e-state, in start order (later ones may depend on earlier ones being
 * healthy). Each new service adds its component here.
 */
export const COMPONENTS: Component[] = [caComponent, authComponent];

export function serviceByName(name: string): ServiceDefinition | undefined {
  return COMPONENTS.flatMap((c) => c.services).find((s) => s.name === name);
}
