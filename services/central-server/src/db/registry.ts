import type { Kysely } from 'kysely';
import { fromBase64, toBase64, toHex } from '@riik/core';
import { asBytes, isUniqueViolation, migrateToLatest, openDatabase, type Database } from '@riik/storage';
import {
  authCertHash,
  SecurityServerId,
  XRoadClientId,
  type ApprovedCa,
  type ApprovedTsa,
  type CaInfo,
  type SharedParameters,
} from '@riik/xroad';
import { CentralError } from '../errors.js';
import {
  centralMigrations,
  type CentralDatabase,
  type RequestsTable,
  type RequestStatus,
  type RequestType,
} from './schema.js';

export interface RegistrationRequest {
  id: number;
  type: RequestType;
  status: RequestStatus;
  server: SecurityServerId;
  client: XRoadClientId | null;
  address: string | null;
  cert: Uint8Array | null;
  createdAt: Date;
  decidedAt: Date | null;
  comment: string | null;
}

interface CaInfoJson {
  cert: string;
  ocsp: Array<{ url: string; cert?: string }>;
}

const caInfoToJson = (i: CaInfo): CaInfoJson => ({
  cert: toBase64(i.cert),
  ocsp: i.ocsp.map((o) => ({ url: o.url, ...(o.cert ? { cert: toBase64(o.cert) } : {}) })),
});
const caInfoFromJson = (j: CaInfoJson): CaInfo => ({
  cert: fromBase64(j.cert),
  ocsp: j.ocsp.map((o) => ({ url: o.url, ...(o.cert ? { cert: fromBase64(o.cert) } : {}) })),
});

const lenient = { policy: 'lenient' } as const;

/**
 * The registry of an X-Road instance: member classes, members, subsystems, security servers with their
 * authentication certificates and clients, global groups, approved CAs and TSAs, and the registration
 * requests security servers submit and the central operator decides. Everything the shared parameters
 * publish comes from here.
 */
export class Registry {
  private constructor(
    private readonly database: Database<CentralDatabase>,
    private readonly db: Kysely<CentralDatabase>,
    readonly instance: string,
  ) {}

  static async open(url: string, instance: string, schema?: string): Promise<Registry> {
    const database = await openDatabase<CentralDatabase>({ url, ...(schema ? { schema } : {}) });
    await migrateToLatest(database, centralMigrations, 'central');
    return new Registry(database, database.db, instance);
  }

  close(): Promise<void> {
    return this.database.close();
  }

  private checkInstance(id: { instance: string }): void {
    if (id.instance !== this.instance)
      throw new CentralError(
        'INVALID_REQUEST',
        `identifier of instance ${id.instance}, not ${this.instance}`,
      );
  }

  private async insert(run: () => Promise<unknown>, what: string): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new CentralError('CONFLICT', `${what} already exists`, { cause: err });
      throw err;
    }
  }

  async addMemberClass(code: string, description: string): Promise<void> {
    await this.insert(
      () => this.db.insertInto('member_classes').values({ code, description }).execute(),
      `member class ${code}`,
    );
  }

  async addMember(id: XRoadClientId, name: string): Promise<void> {
    this.checkInstance(id);
    if (id.subsystemCode !== null)
      throw new CentralError('INVALID_REQUEST', 'a member identifier has no subsystem');
    const mc = await this.db
      .selectFrom('member_classes')
      .select('code')
      .where('code', '=', id.memberClass)
      .executeTakeFirst();
    if (!mc) throw new CentralError('NOT_FOUND', `no member class ${id.memberClass}`);
    await this.insert(
      () =>
        this.db
          .insertInto('members')
          .values({ id: id.encode(), member_class: id.memberClass, member_code: id.memberCode, name })
          .execute(),
      `member ${id.encode()}`,
    );
  }

  async hasMember(id: XRoadClientId): Promise<boolean> {
    return Boolean(
      await this.db
        .selectFrom('members')
        .select('id')
        .where('id', '=', id.member.encode())
        .executeTakeFirst(),
    );
  }

  async addSubsystem(id: XRoadClientId): Promise<void> {
    this.checkInstance(id);
    if (id.subsystemCode === null)
      throw new CentralError('INVALID_REQUEST', 'a subsystem identifier is required');
    if (!(await this.hasMember(id))) throw new CentralError('NOT_FOUND', `no member ${id.member.encode()}`);
    await this.insert(
      () =>
        this.db
          .insertInto('subsystems')
          .values({ id: id.encode(), member_id: id.member.encode(), subsystem_code: id.subsystemCode! })
          .execute(),
      `subsystem ${id.encode()}`,
    );
  }

  private async hasClient(id: XRoadClientId): Promise<boolean> {
    if (id.subsystemCode === null) return this.hasMember(id);
    return Boolean(
      await this.db.selectFrom('subsystems').select('id').where('id', '=', id.encode()).executeTakeFirst(),
    );
  }

  async addSecurityServer(id: SecurityServerId, address: string | null): Promise<void> {
    this.checkInstance(id);
    if (!(await this.hasMember(id.owner)))
      throw new CentralError('NOT_FOUND', `no member ${id.owner.encode()}`);
    await this.insert(
      () =>
        this.db
          .insertInto('security_servers')
          .values({ id: id.encode(), owner_id: id.owner.encode(), server_code: id.serverCode, address })
          .execute(),
      `security server ${id.encode()}`,
    );
  }

  async hasSecurityServer(id: SecurityServerId): Promise<boolean> {
    return Boolean(
      await this.db
        .selectFrom('security_servers')
        .select('id')
        .where('id', '=', id.encode())
        .executeTakeFirst(),
    );
  }

  async setAddress(id: SecurityServerId, address: string): Promise<void> {
    await this.db.updateTable('security_servers').set({ address }).where('id', '=', id.encode()).execute();
  }

  async addAuthCert(server: SecurityServerId, der: Uint8Array, at: Date): Promise<void> {
    if (!(await this.hasSecurityServer(server)))
      throw new CentralError('NOT_FOUND', `no security server ${server.encode()}`);
    await this.insert(
      () =>
        this.db
          .insertInto('auth_certs')
          .values({
            hash: toHex(authCertHash(der)),
            server_id: server.encode(),
            der,
            registered_at: at.getTime(),
          })
          .execute(),
      'authentication certificate',
    );
  }

  async removeAuthCert(der: Uint8Array): Promise<boolean> {
    const r = await this.db
      .deleteFrom('auth_certs')
      .where('hash', '=', toHex(authCertHash(der)))
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async addServerClient(server: SecurityServerId, client: XRoadClientId): Promise<void> {
    if (!(await this.hasSecurityServer(server)))
      throw new CentralError('NOT_FOUND', `no security server ${server.encode()}`);
    if (!(await this.hasClient(client)))
      throw new CentralError('NOT_FOUND', `no member or subsystem ${client.encode()}`);
    await this.insert(
      () =>
        this.db
          .insertInto('server_clients')
          .values({ server_id: server.encode(), client_id: client.encode() })
          .execute(),
      `client ${client.encode()} of ${server.encode()}`,
    );
  }

  async addGlobalGroup(code: string, description: string): Promise<void> {
    await this.insert(
      () => this.db.insertInto('global_groups').values({ code, description }).execute(),
      `global group ${code}`,
    );
  }

  async addGlobalGroupMember(code: string, client: XRoadClientId): Promise<void> {
    this.checkInstance(client);
    const g = await this.db
      .selectFrom('global_groups')
      .select('code')
      .where('code', '=', code)
      .executeTakeFirst();
    if (!g) throw new CentralError('NOT_FOUND', `no global group ${code}`);
    if (!(await this.hasClient(client)))
      throw new CentralError('NOT_FOUND', `no member or subsystem ${client.encode()}`);
    await this.insert(
      () =>
        this.db
          .insertInto('global_group_members')
          .values({ group_code: code, client_id: client.encode() })
          .execute(),
      `member ${client.encode()} of ${code}`,
    );
  }

  async addApprovedCa(ca: ApprovedCa): Promise<void> {
    const info = JSON.stringify({
      top: caInfoToJson(ca.topCa),
      intermediates: ca.intermediateCas.map(caInfoToJson),
      profile: ca.certificateProfileInfo,
    });
    await this.insert(
      () =>
        this.db
          .insertInto('approved_cas')
          .values({ name: ca.name, authentication_only: ca.authenticationOnly ? 1 : 0, info })
          .execute(),
      `approved CA ${ca.name}`,
    );
  }

  async approvedCas(): Promise<ApprovedCa[]> {
    const rows = await this.db.selectFrom('approved_cas').selectAll().orderBy('name').execute();
    return rows.map((r) => {
      const info = JSON.parse(r.info) as { top: CaInfoJson; intermediates: CaInfoJson[]; profile: string };
      return {
        name: r.name,
        authenticationOnly: r.authentication_only === 1,
        topCa: caInfoFromJson(info.top),
        intermediateCas: info.intermediates.map(caInfoFromJson),
        certificateProfileInfo: info.profile,
      };
    });
  }

  async addApprovedTsa(tsa: ApprovedTsa): Promise<void> {
    await this.insert(
      () =>
        this.db
          .insertInto('approved_tsas')
          .values({ name: tsa.name, url: tsa.url, cert: tsa.cert })
          .execute(),
      `approved TSA ${tsa.name}`,
    );
  }

  async removeApprovedTsa(name: string): Promise<void> {
    await this.db.deleteFrom('approved_tsas').where('name', '=', name).execute();
  }

  // ---- registration requests ---------------------------------------------------------------

  async submitRequest(
    r: {
      type: RequestType;
      server: SecurityServerId;
      client?: XRoadClientId;
      address?: string;
      cert?: Uint8Array;
    },
    at: Date,
  ): Promise<RegistrationRequest> {
    this.checkInstance(r.server);
    return this.db.transaction().execute(async (trx) => {
      const pending = await trx
        .selectFrom('requests')
        .select('id')
        .where('status', '=', 'submitted')
        .where('type', '=', r.type)
        .where('server_id', '=', r.server.encode())
        .where('client_id', r.client ? '=' : 'is', r.client ? r.client.encode() : null)
        .execute();
      if (pending.length > 0 && r.type === 'client-reg')
        throw new CentralError('CONFLICT', `request ${pending[0]!.id} for this client is already waiting`);
      const last = await trx
        .selectFrom('requests')
        .select((eb) => eb.fn.max('id').as('max'))
        .executeTakeFirst();
      const id = Number(last?.max ?? 0) + 1;
      const row = {
        id,
        type: r.type,
        status: 'submitted' as const,
        server_id: r.server.encode(),
        client_id: r.client?.encode() ?? null,
        address: r.address ?? null,
        cert: r.cert ?? null,
        created_at: at.getTime(),
        decided_at: null,
        comment: null,
      };
      await trx.insertInto('requests').values(row).execute();
      return toRequest(row);
    });
  }

  async requests(status?: RequestStatus): Promise<RegistrationRequest[]> {
    let q = this.db.selectFrom('requests').selectAll().orderBy('id');
    if (status) q = q.where('status', '=', status);
    return (await q.execute()).map(toRequest);
  }

  async request(id: number): Promise<RegistrationRequest> {
    const row = await this.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new CentralError('NOT_FOUND', `no request ${id}`);
    return toRequest(row);
  }

  /**
   * The operator's approval: an authentication certificate registration creates the security server
   * when it is new (its owner must be a member) and registers the certificate; a client registration
   * creates the subsystem when it is new and makes it a client of the server.
   */
  async approve(id: number, at: Date): Promise<RegistrationRequest> {
    const r = await this.request(id);
    if (r.status !== 'submitted') throw new CentralError('CONFLICT', `request ${id} is already ${r.status}`);
    if (r.type === 'auth-cert-reg') {
      if (!(await this.hasSecurityServer(r.server))) await this.addSecurityServer(r.server, r.address);
      else if (r.address) await this.setAddress(r.server, r.address);
      await this.addAuthCert(r.server, r.cert!, at);
    } else {
      const client = r.client!;
      if (!(await this.hasSecurityServer(r.server)))
        throw new CentralError('NOT_FOUND', `no security server ${r.server.encode()}`);
      if (client.subsystemCode !== null && !(await this.hasClient(client))) await this.addSubsystem(client);
      await this.addServerClient(r.server, client);
    }
    return this.decide(id, 'approved', null, at);
  }

  reject(id: number, comment: string | null, at: Date): Promise<RegistrationRequest> {
    return this.decide(id, 'rejected', comment, at);
  }

  private async decide(
    id: number,
    status: RequestStatus,
    comment: string | null,
    at: Date,
  ): Promise<RegistrationRequest> {
    const r = await this.db
      .updateTable('requests')
      .set({ status, decided_at: at.getTime(), comment })
      .where('id', '=', id)
      .where('status', '=', 'submitted')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0)
      throw new CentralError('CONFLICT', `request ${id} is not waiting for a decision`);
    return this.request(id);
  }

  // ---- publication ----------------------------------------------------------------------

  /** Everything the shared parameters publish, in a stable order. */
  async sharedParameters(ocspFreshnessSeconds: number): Promise<SharedParameters> {
    const [classes, members, subsystems, servers, certs, clients, groups, groupMembers, cas, tsas] =
      await Promise.all([
        this.db.selectFrom('member_classes').selectAll().orderBy('code').execute(),
        this.db.selectFrom('members').selectAll().orderBy('id').execute(),
        this.db.selectFrom('subsystems').selectAll().orderBy('id').execute(),
        this.db.selectFrom('security_servers').selectAll().orderBy('id').execute(),
        this.db.selectFrom('auth_certs').select(['server_id', 'der']).orderBy('hash').execute(),
        this.db.selectFrom('server_clients').selectAll().orderBy('client_id').execute(),
        this.db.selectFrom('global_groups').selectAll().orderBy('code').execute(),
        this.db.selectFrom('global_group_members').selectAll().orderBy('client_id').execute(),
        this.approvedCas(),
        this.db.selectFrom('approved_tsas').selectAll().orderBy('name').execute(),
      ]);
    const classOf = new Map(classes.map((c) => [c.code, c]));
    return {
      instanceIdentifier: this.instance,
      approvedCas: cas,
      approvedTsas: tsas.map((t) => ({ name: t.name, url: t.url, cert: asBytes(t.cert) })),
      members: members.map((m) => ({
        memberClass: { code: m.member_class, description: classOf.get(m.member_class)?.description ?? '' },
        memberCode: m.member_code,
        name: m.name,
        subsystems: subsystems.filter((s) => s.member_id === m.id).map((s) => s.subsystem_code),
      })),
      securityServers: servers.map((s) => ({
        owner: XRoadClientId.parse(s.owner_id, lenient),
        serverCode: s.server_code,
        ...(s.address ? { address: s.address } : {}),
        authCertHashes: certs.filter((c) => c.server_id === s.id).map((c) => authCertHash(asBytes(c.der))),
        clients: clients
          .filter((c) => c.server_id === s.id)
          .map((c) => XRoadClientId.parse(c.client_id, lenient)),
      })),
      globalGroups: groups.map((g) => ({
        groupCode: g.code,
        description: g.description,
        members: groupMembers
          .filter((m) => m.group_code === g.code)
          .map((m) => XRoadClientId.parse(m.client_id, lenient)),
      })),
      globalSettings: {
        memberClasses: classes.map((c) => ({ code: c.code, description: c.description })),
        ocspFreshnessSeconds,
      },
    };
  }
}

function toRequest(row: RequestsTable): RegistrationRequest {
  return {
    id: Number(row.id),
    type: row.type,
    status: row.status,
    server: SecurityServerId.parse(row.server_id, lenient),
    client: row.client_id ? XRoadClientId.parse(row.client_id, lenient) : null,
    address: row.address,
    cert: row.cert ? asBytes(row.cert) : null,
    createdAt: new Date(Number(row.created_at)),
    decidedAt: row.decided_at === null ? null : new Date(Number(row.decided_at)),
    comment: row.comment,
  };
}
