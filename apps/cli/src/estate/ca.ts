import { existsSync } from 'node:fs';
import { createLogger } from '@riik/http';
import { caPaths, initCa, startCaServer } from '@riik/service-ca';
import type { Component } from './types.js';

/** The certification authority (OCSP, CRLs, operator API) on port base + 1. */
export const caComponent: Component = {
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
