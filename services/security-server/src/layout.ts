import { join } from 'node:path';

/**
 * Where a security server keeps its state: `<data>/security-servers/<name>/`
 *
 *   config.json        identity, ports, global configuration anchor, time-stamping and limits
 *   keys/              authentication and signing keys (encrypted PKCS#8) + keystore.pass
 *   auth.pem, sign.pem their certificates
 *   admin.token        bearer token of the local admin API (mode 0600)
 *   ss.db              SQLite: services, access rights, message log, operational monitoring
 *   archive/           message log archives (mlog-*.zip)
 */
export function securityServerPaths(dataDir: string, name: string) {
  const dir = join(dataDir, 'security-servers', name);
  return {
    dir,
    config: join(dir, 'config.json'),
    keys: join(dir, 'keys'),
    authCert: join(dir, 'auth.pem'),
    signCert: join(dir, 'sign.pem'),
    adminToken: join(dir, 'admin.token'),
    database: join(dir, 'ss.db'),
    archive: join(dir, 'archive'),
  };
}
