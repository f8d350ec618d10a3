import type { Logger } from '@riik/http';
import type { SecurityServerId, XRoadClientId } from '@riik/xroad';
import type { CertChecker } from './cert-checker.js';
import type { SecurityServerConfig } from './config.js';
import type { GlobalConfClient } from './gconf-client.js';
import type { MessageLog } from './messagelog/log.js';
import type { Timestamper } from './messagelog/timestamper.js';
import type { OperationalMonitor } from './opmon.js';
import type { OwnCerts } from './own-certs.js';
import type { ServerConf } from './serverconf.js';
import type { BatchSigner } from './signer.js';
import type { PeerAgent } from './tls.js';
import type { MessageVerifier } from './verifier.js';

/** Everything the proxies need, wired once by `startSecurityServer`. */
export interface SecurityServerContext {
  readonly config: SecurityServerConfig;
  readonly serverId: SecurityServerId;
  /** The members and subsystems this server hosts (its clients). */
  readonly localClients: ReadonlyArray<XRoadClientId>;
  readonly gconf: GlobalConfClient;
  readonly serverConf: ServerConf;
  readonly own: OwnCerts;
  readonly checker: CertChecker;
  readonly signer: BatchSigner;
  readonly verifier: MessageVerifier;
  readonly messageLog: MessageLog;
  readonly timestamper: Timestamper;
  readonly opmon: OperationalMonitor;
  /** The agent for connections to other security servers (rebuilt when the trusted CAs change). */
  readonly peers: () => PeerAgent;
  readonly log: Logger;
  readonly now: () => Date;
}

export function isLocalClient(ctx: SecurityServerContext, client: XRoadClientId): boolean {
  return ctx.localClients.some((c) => c.equals(client));
}
