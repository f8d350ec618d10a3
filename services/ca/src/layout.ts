import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CaError } from './errors.js';

/**
 * Where the CA keeps its state under the data directory:
 *
 *   <data>/ca/ca.json          identity: instance, public base URL, issuer ids
 *   <data>/ca/keys/            software keystore (encrypted PKCS#8) + keystore.pass
 *   <data>/ca/certs/<id>.pem   CA and responder certificates
 *   <data>/ca/operator.token   bearer token of the operator API (mode 0600)
 *   <data>/ca/ca.db            SQLite database (unless a postgres:// URL is given)
 */
export function caPaths(dataDir: string) {
  const dir = join(dataDir, 'ca');
  return {
    dir,
    config: join(dir, 'ca.json'),
    keys: join(dir, 'keys'),
    certs: join(dir, 'certs'),
    cert: (id: string) => join(dir, 'certs', `${id}.pem`),
    operatorToken: join(dir, 'operator.token'),
    database: join(dir, 'ca.db'),
  };
}

/** The two issuing CAs, as ESTEID2018 (persons' documents) and an organisation CA. */
export const ISSUERS = ['esteid', 'org'] as const;
export type IssuerId = (typeof ISSUERS)[number];

export const caConfigSchema = z.object({
  version: z.literal(1),
  instance: z.string().min(1),
  /** Public base URL of the CA service (OCSP, CRL and caIssuers URLs in certificates derive from it). */
  baseUrl: z.url(),
  createdAt: z.string(),
});
export type CaConfig = z.infer<typeof caConfigSchema>;

export function readCaConfig(dataDir: string): CaConfig {
  const file = caPaths(dataDir).config;
  if (!existsSync(file))
    throw new CaError('NOT_INITIALISED', `no CA in ${dataDir}; run: riik ca init --data ${dataDir}`);
  const parsed = caConfigSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new CaError('BAD_CONFIG', `${file} is not a valid CA configuration`);
  return parsed.data;
}

/** URLs a certificate of `issuer` points at. */
export function issuerUrls(baseUrl: string, issuer: IssuerId) {
  const base = baseUrl.replace(/\/$/, '');
  return { ocsp: `${base}/ocsp`, crl: `${base}/crl/${issuer}.crl`, caIssuers: `${base}/certs/${issuer}.crt` };
}
