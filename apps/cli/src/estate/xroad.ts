import { existsSync, readFileSync } from 'node:fs';
import { Certificate, xroadAuthProfile, xroadSignProfile } from '@riik/pki';
import { caPaths, CertificateStore, loadCa } from '@riik/service-ca';
import { centralPaths, initCentralServer, readCentralConfig, Registry } from '@riik/service-central-server';
import { initRr } from '@riik/service-rr';
import { tsaPaths } from '@riik/service-tsa';
import {
  initSecurityServer,
  installCertificates,
  securityServerPaths,
  type SecurityServerConfig,
} from '@riik/service-security-server';
import { SecurityServerId, XRoadClientId } from '@riik/xroad';
import { centralServerService, rrService, securityServerService } from './services.js';
import type { Component, EstateContext } from './types.js';

/** The demo X-Road instance of the local e-state. */
export const XROAD_INSTANCE = 'EE-DEV';

/** The three organisations of the walking skeleton (demo identifiers scripts can rely on). */
export const DEMO_ORGANISATIONS = [
  {
    server: 'ss-rr',
    memberCode: '70000562',
    name: 'Siseministeerium',
    subsystem: 'rr',
    subsystemName: 'Rahvastikuregister (Population Register)',
  },
  {
    server: 'ss-emta',
    memberCode: '70000349',
    name: 'Maksu- ja Tolliamet',
    subsystem: 'emta',
    subsystemName: 'Maksu- ja Tolliamet (Tax and Customs Board)',
  },
  {
    server: 'ss-arireg',
    memberCode: '70000310',
    name: 'Registrite ja Infosüsteemide Keskus',
    subsystem: 'arireg',
    subsystemName: 'Äriregister (Business Register)',
  },
] as const;

const port = {
  central: (ctx: EstateContext) => ctx.portBase + 3,
  rr: (ctx: EstateContext) => ctx.portBase + 30,
  client: (ctx: EstateContext, i: number) => ctx.portBase + 10 + 2 * i,
  server: (ctx: EstateContext, i: number) => ctx.portBase + 11 + 2 * i,
  tsa: (ctx: EstateContext) => ctx.portBase + 2,
};

const memberId = (code: string) =>
  XRoadClientId.of({ instance: XROAD_INSTANCE, memberClass: 'GOV', memberCode: code });

// ---- central server -------------------------------------------------------------------------

export const centralServerComponent: Component = {
  services: [centralServerService],
  prepare: async (ctx) => {
    if (existsSync(centralPaths(ctx.dataDir).config)) return;
    await initCentralServer({
      dataDir: ctx.dataDir,
      instance: XROAD_INSTANCE,
      baseUrl: `http://${ctx.host}:${port.central(ctx)}`,
    });
    const registry = await Registry.open(centralPaths(ctx.dataDir).database, XROAD_INSTANCE);
    try {
      await registry.addMemberClass('GOV', 'Government institutions');
      await registry.addMemberClass('COM', 'Commercial enterprises');
      await registry.addMember(memberId('70000000'), 'Riigi Infosüsteemi Amet (X-Road governing authority)');
      await registry.addSubsystem(
        XRoadClientId.of({ ...memberId('70000000').toJSON(), subsystemCode: 'management' }),
      );
      for (const org of DEMO_ORGANISATIONS) {
        await registry.addMember(memberId(org.memberCode), org.name);
        await registry.addSubsystem(
          XRoadClientId.of({ ...memberId(org.memberCode).toJSON(), subsystemCode: org.subsystem }),
        );
      }
      await registry.addGlobalGroup('security-server-owners', 'Security server owners');
      for (const org of DEMO_ORGANISATIONS)
        await registry.addGlobalGroupMember('security-server-owners', memberId(org.memberCode));
      // The e-state's CA is the approved CA: its root as the trust anchor, the organisation CA with
      // its OCSP responder for X-Road certificates.
      const ca = loadCa(ctx.dataDir);
      const org = ca.issuers.get('org')!;
      await registry.addApprovedCa({
        name: 'riik ORG CA',
        authenticationOnly: false,
        topCa: { cert: ca.root.der, ocsp: [] },
        intermediateCas: [
          {
            cert: org.authority.certificate.der,
            ocsp: [{ url: `${ca.config.baseUrl}/ocsp`, cert: org.responder.certificate.der }],
          },
        ],
        certificateProfileInfo: 'riik.ee',
      });
      // riik's own TSA, when the e-state has one, is the approved time-stamping authority.
      const tsaCert = tsaPaths(ctx.dataDir).certificate;
      if (existsSync(tsaCert))
        await registry.addApprovedTsa({
          name: `${XROAD_INSTANCE} TSA`,
          url: `http://${ctx.host}:${port.tsa(ctx)}/tsa`,
          cert: Certificate.fromPem(readFileSync(tsaCert, 'utf8')).der,
        });
    } finally {
      await registry.close();
    }
  },
  processes: (ctx) => [
    { name: 'central-server', kind: 'central-server', service: 'central-server', port: port.central(ctx) },
  ],
};

// ---- population register ------------------------------------------------------------------

export const rrComponent: Component = {
  services: [rrService],
  prepare: (ctx) => initRr(ctx.dataDir),
  processes: (ctx) => [{ name: 'rr', kind: 'registry', service: 'rr', port: port.rr(ctx) }],
};

// ---- security servers ---------------------------------------------------------------------

function securityServerConfig(ctx: EstateContext, i: number): SecurityServerConfig {
  const org = DEMO_ORGANISATIONS[i]!;
  const client = `${XROAD_INSTANCE}/GOV/${org.memberCode}/${org.subsystem}`;
  const rrUrl = `http://${ctx.host}:${port.rr(ctx)}`;
  const provider = `${XROAD_INSTANCE}/GOV/70000562/rr`;
  return {
    version: 1,
    name: org.server,
    serverId: `${XROAD_INSTANCE}/GOV/${org.memberCode}/${org.server}`,
    clients: [client],
    anchorFile: centralPaths(ctx.dataDir).anchor,
    host: ctx.host,
    clientProxyPort: port.client(ctx, i),
    serverProxyPort: port.server(ctx, i),
    publicAddress: `${ctx.host}:${port.server(ctx, i)}`,
    globalConf: { refreshSeconds: 60 },
    ocsp: { refreshSeconds: 60, peerCacheSeconds: 30 },
    timestamping: {
      urls: [`http://${ctx.host}:${port.tsa(ctx)}/tsa`],
      intervalSeconds: 60,
      immediate: false,
      gracePeriodSeconds: 14_400,
      batchMax: 10_000,
    },
    messageLog: { sync: 'full' },
    archive: { intervalSeconds: 3600, maxRecords: 10_000 },
    limits: { maxBodyBytes: 1024 * 1024 * 1024, bufferBytes: 256 * 1024, timeoutSeconds: 120 },
    seed:
      org.server === 'ss-rr'
        ? {
            services: [
              {
                provider,
                serviceCode: 'persons',
                url: `${rrUrl}/persons`,
                type: 'OPENAPI',
                openApiUrl: `${rrUrl}/openapi.yaml`,
                endpoints: [{ method: 'GET', path: '/*' }],
                timeoutSeconds: 60,
              },
            ],
            // The Tax and Customs Board may read persons; the Business Register may not.
            accessRights: [
              { provider, serviceCode: 'persons', subject: `${XROAD_INSTANCE}/GOV/70000349/emta` },
            ],
            localGroups: [],
          }
        : { services: [], accessRights: [], localGroups: [] },
  };
}

/**
 * Prepare one security server: keys, certificates from the e-state's CA (recorded in the CA's
 * database so its OCSP responder answers for them), and its registration at the central server —
 * done here directly in the registry, as the central operator approving the requests would.
 */
async function prepareSecurityServer(ctx: EstateContext, i: number): Promise<void> {
  const config = securityServerConfig(ctx, i);
  if (existsSync(securityServerPaths(ctx.dataDir, config.name).config)) return;
  const org = DEMO_ORGANISATIONS[i]!;
  const keys = initSecurityServer(ctx.dataDir, config);
  const ca = loadCa(ctx.dataDir);
  const issuer = ca.issuers.get('org')!;
  const auth = await issuer.authority.issue(
    xroadAuthProfile({
      name: org.name,
      memberCode: org.memberCode,
      instance: XROAD_INSTANCE,
      memberClass: 'GOV',
      serverCode: org.server,
    }),
    keys.authSpki,
  );
  const sign = await issuer.authority.issue(
    xroadSignProfile({ name: org.name, memberCode: org.memberCode }),
    keys.signSpki,
  );
  const store = await CertificateStore.open(caPaths(ctx.dataDir).database);
  try {
    const now = new Date();
    await store.insert(auth, { issuer: 'org', profile: 'xroad-auth' }, now);
    await store.insert(sign, { issuer: 'org', profile: 'xroad-sign' }, now);
  } finally {
    await store.close();
  }
  installCertificates(ctx.dataDir, config.name, { auth, sign });
  const registry = await Registry.open(
    centralPaths(ctx.dataDir).database,
    readCentralConfig(ctx.dataDir).instance,
  );
  try {
    const serverId = SecurityServerId.parse(config.serverId);
    await registry.addSecurityServer(serverId, config.publicAddress);
    await registry.addAuthCert(serverId, auth.der, new Date());
    await registry.addServerClient(serverId, XRoadClientId.parse(config.clients[0]!));
  } finally {
    await registry.close();
  }
}

export const securityServersComponent: Component = {
  services: [securityServerService],
  prepare: async (ctx) => {
    for (let i = 0; i < DEMO_ORGANISATIONS.length; i++) await prepareSecurityServer(ctx, i);
  },
  notes: (ctx) => [
    'X-Road: the Tax and Customs Board reads a person from the population register:',
    `  curl -H 'X-Road-Client: ${XROAD_INSTANCE}/GOV/70000349/emta' http://${ctx.host}:${port.client(ctx, 1)}/r1/${XROAD_INSTANCE}/GOV/70000562/rr/persons/38001085718`,
    '  (the Business Register, without access, gets Server.ServerProxy.AccessDenied:)',
    `  curl -H 'X-Road-Client: ${XROAD_INSTANCE}/GOV/70000310/arireg' http://${ctx.host}:${port.client(ctx, 2)}/r1/${XROAD_INSTANCE}/GOV/70000562/rr/persons/38001085718`,
  ],
  processes: (ctx) =>
    DEMO_ORGANISATIONS.map((org, i) => ({
      name: org.server,
      kind: 'security-server',
      service: 'security-server',
      port: port.client(ctx, i),
      args: ['--config', securityServerPaths(ctx.dataDir, org.server).config],
      status: {
        owner: `${XROAD_INSTANCE}/GOV/${org.memberCode}`,
        clients: [`${XROAD_INSTANCE}/GOV/${org.memberCode}/${org.subsystem}`],
        clientUrl: `http://${ctx.host}:${port.client(ctx, i)}`,
        serverUrl: `https://${ctx.host}:${port.server(ctx, i)}`,
      },
    })),
};
