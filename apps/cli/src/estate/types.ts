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
