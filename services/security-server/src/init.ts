import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SoftwareKeystore } from '@riik/keys';
import { Certificate, spkiOf } from '@riik/pki';
import { buildManagementRequest, type SignedManagementRequest } from '@riik/xroad';
import { securityServerConfigSchema, type SecurityServerConfig } from './config.js';
import { SecurityServerError } from './errors.js';
import { securityServerPaths } from './layout.js';

export interface SecurityServerKeys {
  /** SubjectPublicKeyInfo DER of the authentication key (for the CA). */
  authSpki: Uint8Array;
  signSpki: Uint8Array;
}

/**
 * Create a security server's directory: its configuration, its authentication and signing keys
 * (ECDSA P-256: fast enough to sign every message and handshake) and the admin token. The
 * certificates come later from the CA (`installCertificates`). Refuses to overwrite.
 */
export function initSecurityServer(dataDir: string, config: SecurityServerConfig): SecurityServerKeys {
  const parsed = securityServerConfigSchema.parse(config);
  const paths = securityServerPaths(dataDir, parsed.name);
  if (existsSync(paths.config))
    throw new SecurityServerError('ALREADY_INITIALISED', `${paths.dir} already exists`);
  mkdirSync(paths.dir, { recursive: true });
  const keystore = SoftwareKeystore.open(paths.keys);
  const auth = keystore.has('auth') ? keystore.signer('auth') : keystore.generate('auth', 'EC-P256');
  const sign = keystore.has('sign') ? keystore.signer('sign') : keystore.generate('sign', 'EC-P256');
  writeFileSync(paths.adminToken, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  writeFileSync(paths.config, JSON.stringify(parsed, null, 2) + '\n');
  return { authSpki: spkiOf(auth.publicKey), signSpki: spkiOf(sign.publicKey) };
}

/** Install the certificates the CA issued for the server's keys (checked against the keys). */
export function installCertificates(
  dataDir: string,
  name: string,
  certs: { auth: Certificate; sign: Certificate },
): void {
  const paths = securityServerPaths(dataDir, name);
  const keystore = SoftwareKeystore.open(paths.keys);
  for (const [which, cert] of [
    ['auth', certs.auth],
    ['sign', certs.sign],
  ] as const) {
    if (!Buffer.from(spkiOf(keystore.signer(which).publicKey)).equals(Buffer.from(cert.spkiDer)))
      throw new SecurityServerError(
        'INVALID_REQUEST',
        `the ${which} certificate is not for this server's ${which} key`,
      );
  }
  writeFileSync(paths.authCert, certs.auth.toPem());
  writeFileSync(paths.signCert, certs.sign.toPem());
}

/**
 * The signed management requests that register this server at the central server: its
 * authentication certificate (signed by the authentication key and the owner's signing key) and each
 * of its clients (signed by the owner's signing key).
 */
export async function registrationRequests(
  dataDir: string,
  name: string,
  now: Date,
): Promise<SignedManagementRequest[]> {
  const paths = securityServerPaths(dataDir, name);
  const config = securityServerConfigSchema.parse(JSON.parse(readFileSync(paths.config, 'utf8')));
  const keystore = SoftwareKeystore.open(paths.keys);
  const auth = {
    signer: keystore.signer('auth'),
    certificate: Certificate.fromPem(readFileSync(paths.authCert, 'utf8')),
  };
  const sign = {
    signer: keystore.signer('sign'),
    certificate: Certificate.fromPem(readFileSync(paths.signCert, 'utf8')),
  };
  const createdAt = now.toISOString();
  return [
    await buildManagementRequest(
      {
        type: 'auth-cert-reg',
        server: config.serverId,
        address: config.publicAddress,
        authCert: Buffer.from(auth.certificate.der).toString('base64'),
        createdAt,
      },
      [auth, sign],
    ),
    ...(await Promise.all(
      config.clients.map((client) =>
        buildManagementRequest({ type: 'client-reg', server: config.serverId, client, createdAt }, [sign]),
      ),
    )),
  ];
}
