import { createHttpService, createLogger, type HttpService, type Logger } from '@riik/http';
import { CaService, type CaServiceOptions } from './ca-service.js';
import { caRoutes } from './api/routes.js';
import { loadCa } from './hierarchy.js';

export interface StartCaOptions extends CaServiceOptions {
  dataDir: string;
  port: number;
  host?: string;
  log?: Logger;
}

export interface RunningCa {
  service: CaService;
  http: HttpService;
  url: string;
  close(): Promise<void>;
}

/** Start the CA service (OCSP, CRLs, CA certificates, operator API) on a port. */
export async function startCaServer(options: StartCaOptions): Promise<RunningCa> {
  const log = options.log ?? createLogger('ca');
  const hierarchy = loadCa(options.dataDir, options.now);
  const service = await CaService.open(options.dataDir, hierarchy, log, options);
  await service.start();
  const http = createHttpService({
    name: 'ca',
    log,
    routes: caRoutes(service),
    health: async () => ({
      ok: true,
      certificates: await service.store.count(),
      ocspCached: service.ocsp.cachedCount,
    }),
  });
  const address = await http.listen(options.port, options.host);
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  log.info({ url }, 'CA service listening');
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
