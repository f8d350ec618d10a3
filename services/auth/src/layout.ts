import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Certificate } from '@riik/pki';
import { AuthServiceError } from './errors.js';

/** Where the login service keeps its state under the data directory. */
export function authPaths(dataDir: string) {
  const dir = join(dataDir, 'auth');
  return {
    dir,
    config: join(dir, 'config.json'),
    /** Private signing keys (JWKS) and cookie keys; 0600. */
    secrets: join(dir, 'secrets.json'),
    /** CA certificates trusted for person certificates (PEM files). */
    trust: join(dir, 'trust'),
    database: join(dir, 'auth.sqlite'),
  };
}

export const clientSchema = z.object({
  client_id: z.string().min(1).max(100),
  client_name: z.string().max(200).optional(),
  client_secret: z.string().min(32).optional(),
  redirect_uris: z.array(z.string().url()).min(1),
  post_logout_redirect_uris: z.array(z.string().url()).optional(),
  token_endpoint_auth_method: z
    .enum(['client_secret_basic', 'client_secret_post', 'none'])
    .default('client_secret_basic'),
});
export type ClientConfig = z.infer<typeof clientSchema>;

export const authConfigSchema = z.object({
  /** The OpenID Provider's issuer URL (also the origin of the login page, which Web eID signs). */
  issuer: z.string().url(),
  clients: z.array(clientSchema).min(1),
  /** The SK service riik's login calls for Mobile-ID and Smart-ID (default: its own /sk). */
  sk: z.object({
    url: z.string().url().optional(),
    relyingPartyUUID: z.string().uuid(),
    relyingPartyName: z.string().min(1).max(100),
  }),
  /** Where the login page looks for the person's card reader. */
  cardReaderUrl: z.string().url(),
  /**
   * A client whose e-service page the login service itself serves at /demo (a relying party
   * for trying the login right after `riik up`); its redirect URI must be <issuer>/demo/callback.
   */
  demoClientId: z.string().optional(),
  /** Reuse a good OCSP answer for this long (0: ask at every login, with a nonce). */
  ocspCacheSeconds: z.number().int().min(0).max(3600).default(0),
  rateLimits: z
    .object({
      /** Login attempts (challenges, method starts, token submissions) per client IP per minute. */
      perIpPerMinute: z.number().int().min(1).default(60),
      /** Login attempts per person (identification code) per minute. */
      perPersonPerMinute: z.number().int().min(1).default(10),
    })
    .default({ perIpPerMinute: 60, perPersonPerMinute: 10 }),
});
export type AuthConfig = z.infer<typeof authConfigSchema>;

export const secretsSchema = z.object({
  /** Private JWKs that sign ID tokens (RS256). */
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }),
  /** Keys that sign the provider's cookies (newest first). */
  cookieKeys: z.array(z.string().min(32)).min(1),
});
export type AuthSecrets = z.infer<typeof secretsSchema>;

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  if (!existsSync(file))
    throw new AuthServiceError('NOT_INITIALISED', `${file} is missing: prepare the login service first`);
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new AuthServiceError('BAD_CONFIG', `${file}: ${parsed.error.message}`);
  return parsed.data;
}

export function readAuthConfig(dataDir: string): AuthConfig {
  return readJson(authPaths(dataDir).config, authConfigSchema);
}

export function readAuthSecrets(dataDir: string): AuthSecrets {
  return readJson(authPaths(dataDir).secrets, secretsSchema);
}

export function readTrustedCas(dataDir: string): Certificate[] {
  const dir = authPaths(dataDir).trust;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pem'))
    .sort()
    .flatMap((f) => Certificate.allFromPem(readFileSync(join(dir, f), 'utf8')));
}
