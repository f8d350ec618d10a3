import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Certificate } from '@riik/pki';
import {
  authConfigSchema,
  authPaths,
  type AuthConfig,
  type AuthSecrets,
  type ClientConfig,
} from './layout.js';

export interface InitAuthOptions {
  dataDir: string;
  issuer: string;
  clients: ClientConfig[];
  /** CA certificates that issue person certificates (ID-card, digi-ID, Mobile-ID, Smart-ID). */
  trustedCas: Certificate[];
  cardReaderUrl: string;
  skUrl?: string;
  ocspCacheSeconds?: number;
  rateLimits?: AuthConfig['rateLimits'];
  demoClientId?: string;
}

/** A fresh RS256 signing key for ID tokens, as a private JWK with a key id. */
export function newSigningJwk(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

/** Create the login service's configuration, keys and trust store (first start). */
export function initAuth(options: InitAuthOptions): AuthConfig {
  const paths = authPaths(options.dataDir);
  mkdirSync(paths.trust, { recursive: true });
  const config = authConfigSchema.parse({
    issuer: options.issuer,
    clients: options.clients,
    sk: {
      ...(options.skUrl ? { url: options.skUrl } : {}),
      relyingPartyUUID: randomUUID(),
      relyingPartyName: 'riik login',
    },
    cardReaderUrl: options.cardReaderUrl,
    ...(options.demoClientId ? { demoClientId: options.demoClientId } : {}),
    ocspCacheSeconds: options.ocspCacheSeconds ?? 0,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
  });
  const secrets: AuthSecrets = {
    jwks: { keys: [newSigningJwk()] },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  writeFileSync(paths.secrets, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  options.trustedCas.forEach((cert, i) => writeFileSync(join(paths.trust, `ca-${i + 1}.pem`), cert.toPem()));
  writeFileSync(paths.config, JSON.stringify(config, null, 2) + '\n');
  return config;
}
