import type { Logger } from '@riik/http';
import { TimeStampAuthority } from '@riik/pki';
import { Aggregator, type ClosedRound } from './aggregator.js';
import { Calendar } from './calendar.js';
import { CalendarStore } from './db/calendar-store.js';
import type { TsaIdentity } from './identity.js';
import { tsaPaths, type TsaSettings } from './layout.js';
import { Publisher } from './publisher.js';

export interface TsaServiceOptions extends TsaSettings {
  /** postgres:// URL; default the SQLite file in the data directory. */
  databaseUrl?: string;
  databaseSchema?: string;
  now?: () => Date;
  onRound?: (round: ClosedRound, closeMs: number) => void;
}

/**
 * The time-stamping service: the RFC 3161 TSA and the KSI-style aggregator with its calendar
 * and publications, sharing one clock and one data directory.
 */
export class TsaService {
  private constructor(
    readonly identity: TsaIdentity,
    readonly tsa: TimeStampAuthority,
    readonly store: CalendarStore,
    readonly calendar: Calendar,
    readonly aggregator: Aggregator,
    readonly publisher: Publisher,
  ) {}

  static async open(
    dataDir: string,
    identity: TsaIdentity,
    log: Logger,
    options: TsaServiceOptions = {},
  ): Promise<TsaService> {
    const now = options.now ?? (() => new Date());
    const settings: TsaSettings = { ...pickSettings(identity.config), ...pickSettings(options) };
    const accuracyMs = settings.accuracyMs ?? 1000;
    const tsa = new TimeStampAuthority({
      signer: identity.tsaSigner,
      certificate: identity.certificate,
      chain: identity.chain,
      ...(settings.policies ? { policies: settings.policies } : {}),
      accuracy:
        accuracyMs >= 1000 && accuracyMs % 1000 === 0
          ? { seconds: accuracyMs / 1000 }
          : { seconds: Math.floor(accuracyMs / 1000), millis: accuracyMs % 1000 },
      now,
    });
    const store = await CalendarStore.open(
      options.databaseUrl ?? tsaPaths(dataDir).database,
      options.databaseSchema,
    );
    const calendar = await Calendar.open(store, identity.calendarSigner, identity.config.origin);
    const aggregator = new Aggregator(calendar, {
      ...(settings.roundMs ? { roundMs: settings.roundMs } : {}),
      ...(settings.maxRoundSize ? { maxRoundSize: settings.maxRoundSize } : {}),
      now,
      log,
      ...(options.onRound ? { onRound: options.onRound } : {}),
    });
    const publisher = new Publisher(
      calendar,
      identity.calendarSigner,
      log,
      now,
      settings.publicationIntervalMs ?? 86_400_000,
    );
    return new TsaService(identity, tsa, store, calendar, aggregator, publisher);
  }

  async start(): Promise<void> {
    await this.publisher.start();
    this.aggregator.start();
  }

  /** Close the pending round (its submitters get their proofs), then the store. */
  async close(): Promise<void> {
    this.publisher.stop();
    await this.aggregator.stop();
    await this.store.close();
  }
}

/** The settings fields of a config or options object, without undefined ones. */
function pickSettings(o: TsaSettings): TsaSettings {
  const keys = ['roundMs', 'maxRoundSize', 'publicationIntervalMs', 'policies', 'accuracyMs'] as const;
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
