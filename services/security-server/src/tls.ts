import { existsSync, readFileSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:https';
import { join } from 'node:path';
import { connect, type ConnectionOptions, type SecureContextOptions, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { Certificate } from '@riik/pki';
import type { GlobalConf } from '@riik/xroad';
import { securityServerPaths } from './layout.js';
import type { OwnCerts } from './own-certs.js';

/**
 * The TLS identity of a security server: its authentication key (the keystore's encrypted PKCS#8
 * file, handed to OpenSSL with its passphrase), its authentication certificate with the issuing CA
 * certificate, and as trust anchors every CA certificate the global configuration approves.
 */
export function tlsContextOptions(
  dataDir: string,
  name: string,
  own: OwnCerts,
  gconf: GlobalConf,
): SecureContextOptions {
  const paths = securityServerPaths(dataDir, name);
  const passFile = join(paths.keys, 'keystore.pass');
  const passphrase =
    process.env.RIIK_KEYSTORE_PASSPHRASE ??
    (existsSync(passFile) ? readFileSync(passFile, 'utf8').trim() : undefined);
  const cas = gconf.caCertificates();
  const issuer = cas.find((c) =>
    Buffer.from(c.subjectDer).equals(Buffer.from(own.auth.certificate.issuerDer)),
  );
  return {
    key: readFileSync(join(paths.keys, 'auth.key.pem')),
    ...(passphrase ? { passphrase } : {}),
    cert: own.auth.certificate.toPem() + (issuer ? issuer.toPem() : ''),
    ca: cas.map((c) => c.toPem()),
    minVersion: 'TLSv1.2',
  };
}

/** What the client side decides about the provider security server it connected to. */
export type PeerCheck = (peer: Certificate, stapledOcsp: Buffer | undefined, target: string) => void;

const BORN = Symbol('born');
type AgedSocket = TLSSocket & { [BORN]?: number };

/**
 * An HTTPS agent for connections to other security servers. Every new connection is checked during
 * the handshake: OpenSSL verifies the chain against the approved CAs, then `check` decides on the
 * certificate and the OCSP response the server stapled (TLS certificate status request, RFC 6066 §8).
 * Pooled connections are retired after `maxSocketAgeMs`, so a suspended or revoked peer is refused
 * on the next handshake; TLS session resumption is off, because a resumed session skips the check.
 */
export class PeerAgent extends Agent {
  constructor(
    private readonly tls: SecureContextOptions,
    private readonly check: PeerCheck,
    private readonly maxSocketAgeMs: number,
    options: AgentOptions = {},
  ) {
    super({ keepAlive: true, maxCachedSessions: 0, maxSockets: 64, maxFreeSockets: 64, ...options });
  }

  override createConnection(
    options: ConnectionOptions,
    _callback?: (err: Error | null, socket: Duplex) => void,
  ): Duplex {
    let stapled: Buffer | undefined;
    const target = `${options.host ?? ''}:${options.port ?? ''}`;
    // requestOCSP is a TLSSocket option that tls.connect passes through (missing from its types).
    const socket = connect({
      ...options,
      ...this.tls,
      requestOCSP: true,
      noDelay: true,
      rejectUnauthorized: true,
      servername: undefined,
      checkServerIdentity: (_host, peer) => {
        try {
          this.check(Certificate.fromDer(new Uint8Array(peer.raw)), stapled, target);
          return undefined;
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      },
    } as ConnectionOptions) as AgedSocket;
    // Parts are written as they are ready; Nagle's algorithm would hold each back for an ACK.
    socket.setNoDelay(true);
    socket.on('OCSPResponse', (response: Buffer) => {
      stapled = response;
    });
    socket[BORN] = Date.now();
    return socket;
  }

  override keepSocketAlive(socket: Duplex): boolean {
    const born = (socket as AgedSocket)[BORN] ?? 0;
    if (Date.now() - born > this.maxSocketAgeMs) return false;
    super.keepSocketAlive(socket);
    return true;
  }
}
