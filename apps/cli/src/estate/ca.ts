import { existsSync } from 'node:fs';
import { caPaths, initCa } from '@riik/service-ca';
import { caService } from './services.js';
import type { Component } from './types.js';

/** The certification authority (OCSP, CRLs, operator API) on port base + 1. */
export const caComponent: Component = {
  services: [caService],
  prepare: async (ctx) => {
    if (!existsSync(caPaths(ctx.dataDir).config)) {
      await initCa({ dataDir: ctx.dataDir, baseUrl: `http://${ctx.host}:${ctx.portBase + 1}` });
    }
  },
  processes: (ctx) => [{ name: 'ca', kind: 'ca', service: 'ca', port: ctx.portBase + 1 }],
};
