import { createHash } from 'node:crypto';
import { toHex } from '@riik/core';
import { Certificate } from '@riik/pki';
import { XRoadClientId } from '../identifiers/client-id.js';
import type { GlobalGroupId } from '../identifiers/group-ids.js';
import { SecurityServerId } from '../identifiers/security-server-id.js';
import type {
  ApprovedCa,
  ApprovedTsa,
  PrivateParameters,
  SecurityServerEntry,
  SharedParameters,
} from './model.js';

/** The hash riik registers authentication certificates under (SHA-256 of the DER). */
export function authCertHash(cert: Uint8Array | Certificate): Uint8Array {
  const der = cert instanceof Uint8Array ? cert : cert.der;
  return new Uint8Array(createHash('sha256').update(der).digest());
}

/** An approved CA with its certificates parsed, for path building and OCSP checks. */
export interface TrustedCa {
  readonly approved: ApprovedCa;
  readonly top: Certificate;
  readonly intermediates: ReadonlyArray<Certificate>;
  /** OCSP responders with dedicated certificates. */
  readonly ocspResponders: ReadonlyArray<Certificate>;
}

export interface SecurityServerInfo {
  readonly id: SecurityServerId;
  readonly address: string | undefined;
  readonly clients: ReadonlyArray<XRoadClientId>;
}

/**
 * The global configuration a Security Server works with: the shared and private parameters of its
 * instance, indexed for the questions message processing asks (who owns this authentication
 * certificate, which servers host this client, is this client in that group, which CAs and TSAs are
 * approved), plus the directory's expiry.
 */
export class GlobalConf {
  readonly instance: string;
  readonly ocspFreshnessSeconds: number;
  readonly timeStampingIntervalSeconds: number | undefined;
  readonly trustedCas: ReadonlyArray<TrustedCa>;
  readonly approvedTsas: ReadonlyArray<ApprovedTsa>;
  private readonly serversByAuthHash = new Map<string, SecurityServerInfo>();
  private readonly serversByKey = new Map<string, SecurityServerInfo>();
  private readonly serversByClient = new Map<string, SecurityServerInfo[]>();
  private readonly memberNames = new Map<string, string>();
  private readonly groups = new Map<string, Set<string>>();
  private readonly knownClients = new Set<string>();

  constructor(
    readonly shared: SharedParameters,
    readonly privateParams: PrivateParameters | undefined,
    /** When the signed directory stops being valid. */
    readonly expiresAt: Date,
    /** When it was downloaded and verified. */
    readonly fetchedAt: Date,
  ) {
    this.instance = shared.instanceIdentifier;
    this.ocspFreshnessSeconds = shared.globalSettings.ocspFreshnessSeconds;
    this.timeStampingIntervalSeconds = privateParams?.timeStampingIntervalSeconds;
    this.approvedTsas = shared.approvedTsas;
    this.trustedCas = shared.approvedCas.map((approved) => ({
      approved,
      top: Certificate.fromDer(approved.topCa.cert),
      intermediates: approved.intermediateCas.map((i) => Certificate.fromDer(i.cert)),
      ocspResponders: [approved.topCa, ...approved.intermediateCas].flatMap((i) =>
        i.ocsp.flatMap((o) => (o.cert ? [Certificate.fromDer(o.cert)] : [])),
      ),
    }));
    for (const m of shared.members) {
      const id = XRoadClientId.of(
        { instance: this.instance, memberClass: m.memberClass.code, memberCode: m.memberCode },
        { policy: 'lenient' },
      );
      this.memberNames.set(id.key, m.name);
      this.knownClients.add(id.key);
      for (const s of m.subsystems)
        this.knownClients.add(XRoadClientId.of({ ...id, subsystemCode: s }, { policy: 'lenient' }).key);
    }
    for (const s of shared.securityServers) this.indexServer(s);
    for (const g of shared.globalGroups) this.groups.set(g.groupCode, new Set(g.members.map((m) => m.key)));
  }

  private indexServer(s: SecurityServerEntry): void {
    const id = SecurityServerId.of(
      {
        instance: s.owner.instance,
        memberClass: s.owner.memberClass,
        memberCode: s.owner.memberCode,
        serverCode: s.serverCode,
      },
      { policy: 'lenient' },
    );
    const info: SecurityServerInfo = { id, address: s.address, clients: s.clients };
    this.serversByKey.set(id.key, info);
    for (const h of s.authCertHashes) this.serversByAuthHash.set(toHex(h), info);
    // The owner member is implicitly a client of its own server (as in X-Road).
    for (const c of [s.owner, ...s.clients]) {
      const list = this.serversByClient.get(c.key) ?? [];
      if (!list.includes(info)) list.push(info);
      this.serversByClient.set(c.key, list);
    }
  }

  isExpired(now: Date): boolean {
    return now.getTime() >= this.expiresAt.getTime();
  }

  /** The security server an authentication certificate is registered to. */
  serverByAuthCert(cert: Certificate | Uint8Array): SecurityServerInfo | undefined {
    return this.serversByAuthHash.get(toHex(authCertHash(cert)));
  }

  server(id: SecurityServerId): SecurityServerInfo | undefined {
    return this.serversByKey.get(id.key);
  }

  /** The servers where `client` (member or subsystem) is registered. */
  serversOf(client: XRoadClientId): ReadonlyArray<SecurityServerInfo> {
    return this.serversByClient.get(client.key) ?? [];
  }

  /** Whether `client` is registered at `server`. */
  isClientOf(client: XRoadClientId, server: SecurityServerId): boolean {
    return this.serversOf(client).some((s) => s.id.equals(server));
  }

  /** Whether the member or subsystem exists in this instance's configuration. */
  hasClient(client: XRoadClientId): boolean {
    return this.knownClients.has(client.key);
  }

  memberName(member: XRoadClientId): string | undefined {
    return this.memberNames.get(member.member.key);
  }

  isInGlobalGroup(client: XRoadClientId, group: GlobalGroupId): boolean {
    if (group.instance !== this.instance) return false;
    return this.groups.get(group.groupCode)?.has(client.key) ?? false;
  }

  /** Every member and subsystem, for listClients. */
  members(): Array<{ id: XRoadClientId; name: string }> {
    const out: Array<{ id: XRoadClientId; name: string }> = [];
    for (const m of this.shared.members) {
      const id = XRoadClientId.of(
        { instance: this.instance, memberClass: m.memberClass.code, memberCode: m.memberCode },
        { policy: 'lenient' },
      );
      out.push({ id, name: m.name });
      for (const s of m.subsystems)
        out.push({ id: XRoadClientId.of({ ...id, subsystemCode: s }, { policy: 'lenient' }), name: m.name });
    }
    return out;
  }

  /** Every CA certificate (top and intermediate) of every approved CA. */
  caCertificates(): Certificate[] {
    return this.trustedCas.flatMap((c) => [c.top, ...c.intermediates]);
  }
}
