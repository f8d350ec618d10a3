import { existsSync } from 'node:fs';
import { caPaths, CertificateStore, loadCa } from '@riik/service-ca';
import { initTsaKeys, installTsaCertificate, tsaPaths } from '@riik/service-tsa';
import { tsaProfile, type Certificate } from '@riik/pki';
import { CliError } from '../output.js';
import { tsaService } from './services.js';
import type { Component } from './types.js';

/**
 * Provision the time-stamping service in a data directory: its keys (initTsaKeys) and a TSA
 * certificate from the organisation CA of the same data directory, issued through the CA
 * library directly and recorded in the CA's certificate database, so the CA's OCSP responder
 * and CRLs know it like any certificate issued through its operator API. (A TSA whose CA lives
 * elsewhere would send a CSR to POST /api/v1/certificates with profile "tsa"; riik's local
 * e-state always has both in one directory.)
 */
export async function provisionTsa(
  dataDir: string,
): Promise<{ certificate: Certificate; vkey: string; origin: string }> {
  if (existsSync(tsaPaths(dataDir).config))
    throw new CliError('ALREADY_INITIALISED', `a time-stamping service already exists in ${dataDir}`);
  if (!existsSync(caPaths(dataDir).config))
    throw new CliError(
      'NO_CA',
      `no CA in ${dataDir} to certify the TSA; run riik ca init --data ${dataDir} first`,
    );
  const ca = loadCa(dataDir);
  const org = ca.issuers.get('org')!;
  const { spki, config, vkey } = initTsaKeys(dataDir, { instance: ca.config.instance });
  const certificate = await org.authority.issue(
    tsaProfile({ commonName: `${ca.config.instance} TSA`, organisation: `riik ${ca.config.instance}` }),
    spki,
  );
  const store = await CertificateStore.open(caPaths(dataDir).database);
  try {
    await store.insert(certificate, { issuer: 'org', profile: 'tsa' }, new Date());
  } finally {
    await store.close();
  }
  installTsaCertificate(dataDir, certificate, [org.authority.certificate], ca.root);
  return { certificate, vkey, origin: config.origin };
}

/** Time-stamping: the RFC 3161 TSA and the KSI-style aggregator, on port base + 2. */
export const tsaComponent: Component = {
  services: [tsaService],
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
