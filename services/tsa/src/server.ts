import { createHttpService, createLogger, ServiceMetrics, type HttpService, type Logger } from '@riik/http';
import { Counter, Gauge, Histogram } from 'prom-client';
import { ksiRoutes } from './api/ksi-routes.js';
import { tspRoutes } from './api/tsp-routes.js';
import { loadTsaIdentity } from './identity.js';
import { TsaService, type TsaServiceOptions } from './service.js';

export interface StartTsaOptions extends TsaServiceOptions {
  dataDir: string;
  port: number;
  host?: string;
  log?: Logger;
}

export interface RunningTsa {
  service: TsaService;
  http: HttpService;
  url: string;
  close(): Promise<void>;
}

/**
 * Start the time-stamping service: RFC 3161 at POST /tsa, the aggregator and calendar under
 * /ksi/v1 (docs/timestamping.md lists the endpoints), /healthz and /metrics.
 */
export async function startTsaServer(options: StartTsaOptions): Promise<RunningTsa> {
  const log = options.log ?? createLogger('tsa');
  const identity = loadTsaIdentity(options.dataDir);
  const metrics = new ServiceMetrics('tsa');
  const registers = [metrics.registry];
  const tokens = new Counter({
    name: 'riik_tsa_tokens_total',
    help: 'RFC 3161 answers by status',
    labelNames: ['status'],
    registers,
  });
  const hashes = new Counter({
    name: 'riik_ksi_hashes_total',
    help: 'hashes submitted for aggregation',
    labelNames: ['endpoint'],
    registers,
  });
  const rounds = new Counter({ name: 'riik_ksi_rounds_total', help: 'aggregation rounds stored', registers });
  const roundSize = new Histogram({
    name: 'riik_ksi_round_size',
    help: 'leaves per aggregation round',
    buckets: [1, 10, 100, 1000, 10_000, 100_000, 1_000_000],
    registers,
  });
  const closeTime = new Histogram({
    name: 'riik_ksi_round_close_seconds',
    help: 'time to build, store and sign a round',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  const service = await TsaService.open(options.dataDir, identity, log, {
    ...options,
    onRound: (round, ms) => {
      rounds.inc();
      roundSize.observe(round.header.roundSize);
      closeTime.observe(ms / 1000);
      options.onRound?.(round, ms);
    },
  });
  new Gauge({
    name: 'riik_ksi_calendar_size',
    help: 'calendar entries',
    registers,
    collect(this: Gauge) {
      this.set(service.calendar.size);
    },
  });

  await service.start();
  const http = createHttpService({
    name: 'tsa',
    log,
    metrics,
    routes: [...tspRoutes(service, tokens), ...ksiRoutes(service, { hashes })],
    // Streaming submissions may stay open for minutes.
    handlerTimeoutMs: 300_000,
    requestTimeoutMs: 300_000,
    health: () => ({
      ok: true,
      calendarSize: service.calendar.size,
      pendingHashes: service.aggregator.pending,
      roundMs: service.aggregator.roundMs,
      publications: service.publisher.publications.length,
    }),
  });
  const address = await http.listen(options.port, options.host);
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  log.info({ url, calendarSize: service.calendar.size }, 'time-stamping service listening');
  return {
    service,
    http,
    url,
    close: async () => {
      await http.close();
      await service.close();
    },
  };
}
