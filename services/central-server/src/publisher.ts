import { createHash } from 'node:crypto';
import type { Logger } from '@riik/http';
import {
  buildPrivateParametersXml,
  buildSharedParametersXml,
  buildSignedDirectory,
  ContentIdentifier,
  directoryEntry,
  GCONF_VERSION,
  XRoadClientId,
} from '@riik/xroad';
import type { Registry } from './db/registry.js';
import type { ConfSigning } from './init.js';
import type { CentralConfig } from './layout.js';

/** One generation of configuration files: what `/V2/<id>/<file>` serves. */
interface Generation {
  id: string;
  files: Map<string, Buffer>;
  digest: string;
}

export interface SignedDirectory {
  contentType: string;
  body: Buffer;
  expireDate: Date;
  generation: string;
}

/** How many generations stay downloadable after a newer one is published. */
const KEEP_GENERATIONS = 5;

/**
 * Generates the global configuration (PR-GCONF) from the registry on an interval: the private and
 * shared parameters, and the signed directory pointing at them with a fresh Expire-date. Files get a
 * new generation (`/V2/<generation>/...`) only when their content changes, so security servers that
 * already hold them download only the directory; recent generations stay available for clients that
 * read an older directory.
 */
export class GlobalConfPublisher {
  private generations: Generation[] = [];
  private current: SignedDirectory | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly config: CentralConfig,
    private readonly signing: ConfSigning,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Generate now (serialised with the timer). */
  publish(): Promise<void> {
    const run = (this.running ?? Promise.resolve()).then(() => this.generate());
    this.running = run.catch((err: unknown) =>
      this.log.error({ err: String(err) }, 'global configuration generation failed'),
    );
    return run;
  }

  async start(): Promise<void> {
    await this.publish();
    this.timer = setInterval(() => void this.publish(), this.config.gconf.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async generate(): Promise<void> {
    const g = this.config.gconf;
    const shared = buildSharedParametersXml(await this.registry.sharedParameters(g.ocspFreshnessSeconds));
    const priv = buildPrivateParametersXml({
      instanceIdentifier: this.config.instance,
      configurationAnchors: [],
      managementService: {
        authCertRegServiceAddress: `${this.config.baseUrl}/managementservice`,
        // riik's management services are the central server's own HTTP API, not an X-Road service;
        // the element is mandatory, so it names the instance's governing authority.
        managementRequestServiceProviderId: XRoadClientId.of({
          instance: this.config.instance,
          memberClass: 'GOV',
          memberCode: '70000000',
          subsystemCode: 'management',
        }),
      },
      timeStampingIntervalSeconds: g.timeStampingIntervalSeconds,
    });
    const files = new Map([
      ['private-params.xml', Buffer.from(priv)],
      ['shared-params.xml', Buffer.from(shared)],
    ]);
    const digest = createHash('sha256').update(priv).update('\0').update(shared).digest('hex');
    let gen = this.generations.at(-1);
    const now = this.now();
    if (!gen || gen.digest !== digest) {
      gen = { id: now.toISOString().replace(/[-:.TZ]/g, ''), files, digest };
      this.generations = [...this.generations, gen].slice(-KEEP_GENERATIONS);
      this.log.info({ generation: gen.id }, 'new global configuration generated');
    }
    const location = (f: string) => `/V${GCONF_VERSION}/${gen.id}/${f}`;
    const expireDate = new Date(now.getTime() + g.expireSeconds * 1000);
    const signed = await buildSignedDirectory(
      {
        expireDate,
        version: GCONF_VERSION,
        entries: [
          directoryEntry(
            ContentIdentifier.privateParameters,
            this.config.instance,
            location('private-params.xml'),
            gen.files.get('private-params.xml')!,
            'private-params.xml',
          ),
          directoryEntry(
            ContentIdentifier.sharedParameters,
            this.config.instance,
            location('shared-params.xml'),
            gen.files.get('shared-params.xml')!,
            'shared-params.xml',
          ),
        ],
      },
      this.signing.signer,
      this.signing.certificate,
    );
    this.current = { ...signed, expireDate, generation: gen.id };
  }

  /** The current signed directory. */
  directory(): SignedDirectory | undefined {
    return this.current;
  }

  /** A configuration file of a kept generation. */
  file(generation: string, name: string): Buffer | undefined {
    return this.generations.find((g) => g.id === generation)?.files.get(name);
  }

  /** Healthy while the current directory has not expired. */
  healthy(): boolean {
    return Boolean(this.current && this.current.expireDate.getTime() > this.now().getTime());
  }
}
