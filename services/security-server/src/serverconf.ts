import type { Kysely } from 'kysely';
import { parse as parseYaml } from 'yaml';
import type { XRoadServiceId } from '@riik/xroad';
import {
  accessPath,
  ANY_METHOD,
  ANY_PATH,
  endpointMatches,
  GlobalGroupId,
  isEndpointMethod,
  LocalGroupId,
  openApiPathToGlob,
  XRoadClientId,
  type EndpointPattern,
  type GlobalConf,
} from '@riik/xroad';
import type { AccessRightSeed, SecurityServerConfig, ServiceSeed } from './config.js';
import { alreadyDurable, type Durable } from './db/durability.js';
import type { SecurityServerDatabase } from './db/schema.js';
import { SecurityServerError } from './errors.js';

export interface ServiceEntry {
  readonly provider: XRoadClientId;
  readonly serviceCode: string;
  readonly url: string;
  readonly type: 'REST' | 'OPENAPI';
  readonly openApiUrl: string | null;
  readonly timeoutSeconds: number;
  readonly endpoints: ReadonlyArray<EndpointPattern>;
}

/** Who an access right is for. */
export type AccessSubject =
  | { kind: 'client'; id: XRoadClientId }
  | { kind: 'global-group'; id: GlobalGroupId }
  | { kind: 'local-group'; id: LocalGroupId };

export interface AccessRight {
  readonly endpoint: EndpointPattern;
  readonly subject: AccessSubject;
}

const lenient = { policy: 'lenient' } as const;

export function parseSubject(text: string): AccessSubject {
  try {
    if (text.startsWith('GLOBALGROUP:'))
      return { kind: 'global-group', id: GlobalGroupId.parse(text.slice(12), lenient) };
    if (text.startsWith('LOCALGROUP:'))
      return { kind: 'local-group', id: LocalGroupId.parse(text.slice(11), lenient) };
    return { kind: 'client', id: XRoadClientId.parse(text, lenient) };
  } catch (cause) {
    throw new SecurityServerError('INVALID_REQUEST', `invalid access right subject ${text.slice(0, 200)}`, {
      cause,
    });
  }
}

export function subjectText(s: AccessSubject): string {
  if (s.kind === 'global-group') return `GLOBALGROUP:${s.id.encode()}`;
  if (s.kind === 'local-group') return `LOCALGROUP:${s.id.encode()}`;
  return s.id.encode();
}

const serviceKey = (provider: XRoadClientId, code: string) => `${provider.key}|${code}`;

/**
 * The security server's configuration of its own clients' services: services with their URLs and
 * endpoints, access rights per endpoint (deny by default) and local groups. Kept in memory for the
 * message path, written through to the database by the admin operations.
 */
export class ServerConf {
  private services = new Map<string, ServiceEntry>();
  private rights = new Map<string, AccessRight[]>();
  private localGroups = new Map<string, Set<string>>();

  constructor(
    private readonly db: Kysely<SecurityServerDatabase>,
    private readonly now: () => Date,
    /** Makes the administrator's changes durable before they are answered (see WalSync). */
    private readonly durable: Durable = alreadyDurable,
  ) {}

  async load(): Promise<void> {
    const [services, endpoints, rights, groups, members] = await Promise.all([
      this.db.selectFrom('services').selectAll().execute(),
      this.db.selectFrom('endpoints').selectAll().execute(),
      this.db.selectFrom('access_rights').selectAll().execute(),
      this.db.selectFrom('local_groups').selectAll().execute(),
      this.db.selectFrom('local_group_members').selectAll().execute(),
    ]);
    const next = new Map<string, ServiceEntry>();
    for (const s of services) {
      const provider = XRoadClientId.parse(s.provider, lenient);
      next.set(serviceKey(provider, s.service_code), {
        provider,
        serviceCode: s.service_code,
        url: s.url,
        type: s.type === 'OPENAPI' ? 'OPENAPI' : 'REST',
        openApiUrl: s.openapi_url,
        timeoutSeconds: s.timeout_seconds,
        endpoints: endpoints
          .filter((e) => e.provider === s.provider && e.service_code === s.service_code)
          .map((e) => ({ method: e.method, path: e.path })),
      });
    }
    const nextRights = new Map<string, AccessRight[]>();
    for (const r of rights) {
      const key = serviceKey(XRoadClientId.parse(r.provider, lenient), r.service_code);
      const list = nextRights.get(key) ?? [];
      list.push({ endpoint: { method: r.method, path: r.path }, subject: parseSubject(r.subject) });
      nextRights.set(key, list);
    }
    const nextGroups = new Map<string, Set<string>>(groups.map((g) => [g.code, new Set<string>()]));
    for (const m of members) nextGroups.get(m.group_code)?.add(XRoadClientId.parse(m.client_id, lenient).key);
    this.services = next;
    this.rights = nextRights;
    this.localGroups = nextGroups;
  }

  service(id: XRoadServiceId): ServiceEntry | undefined {
    return this.services.get(serviceKey(id.provider, id.serviceCode));
  }

  servicesOf(provider: XRoadClientId): ServiceEntry[] {
    return [...this.services.values()].filter((s) => s.provider.equals(provider));
  }

  private subjectMatches(subject: AccessSubject, client: XRoadClientId, gconf: GlobalConf): boolean {
    switch (subject.kind) {
      case 'client':
        return subject.id.equals(client);
      case 'global-group':
        return gconf.isInGlobalGroup(client, subject.id);
      case 'local-group':
        return this.localGroups.get(subject.id.groupCode)?.has(client.key) ?? false;
    }
  }

  /**
   * Deny by default: allowed only when an access right of this service, for an endpoint matching the
   * method and service path, names the client or a group the client is in.
   */
  isAllowed(
    client: XRoadClientId,
    service: XRoadServiceId,
    method: string,
    servicePath: string,
    gconf: GlobalConf,
  ): boolean {
    const rights = this.rights.get(serviceKey(service.provider, service.serviceCode)) ?? [];
    const path = accessPath(servicePath);
    return rights.some(
      (r) => endpointMatches(r.endpoint, method, path) && this.subjectMatches(r.subject, client, gconf),
    );
  }

  /** The endpoints of `service` that `client` has a right to (allowedMethods). */
  allowedEndpoints(client: XRoadClientId, service: ServiceEntry, gconf: GlobalConf): EndpointPattern[] {
    const rights = (this.rights.get(serviceKey(service.provider, service.serviceCode)) ?? []).filter((r) =>
      this.subjectMatches(r.subject, client, gconf),
    );
    const all = [{ method: ANY_METHOD, path: ANY_PATH }, ...service.endpoints];
    return all.filter((e) =>
      rights.some((r) => r.endpoint.method === e.method && r.endpoint.path === e.path),
    );
  }

  rightsOf(service: XRoadServiceId): AccessRight[] {
    return this.rights.get(serviceKey(service.provider, service.serviceCode)) ?? [];
  }

  // ---- administration --------------------------------------------------------------------

  async addService(seed: ServiceSeed): Promise<void> {
    const provider = XRoadClientId.parse(seed.provider, lenient);
    if (provider.subsystemCode === null)
      throw new SecurityServerError('INVALID_REQUEST', 'a service provider is a subsystem');
    for (const e of seed.endpoints) checkEndpoint(e);
    await this.db.transaction().execute(async (trx) => {
      const values = {
        url: seed.url,
        type: seed.type,
        openapi_url: seed.openApiUrl ?? null,
        timeout_seconds: seed.timeoutSeconds,
      };
      await trx
        .insertInto('services')
        .values({ provider: provider.encode(), service_code: seed.serviceCode, ...values })
        .onConflict((oc) => oc.columns(['provider', 'service_code']).doUpdateSet(values))
        .execute();
      for (const e of seed.endpoints)
        await trx
          .insertInto('endpoints')
          .values({
            provider: provider.encode(),
            service_code: seed.serviceCode,
            method: e.method,
            path: e.path,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
    });
    await this.durable();
    await this.load();
  }

  /** Replace a service's endpoints with those of its OpenAPI description. */
  async setEndpoints(service: ServiceEntry, endpoints: EndpointPattern[]): Promise<void> {
    for (const e of endpoints) checkEndpoint(e);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('endpoints')
        .where('provider', '=', service.provider.encode())
        .where('service_code', '=', service.serviceCode)
        .execute();
      for (const e of endpoints)
        await trx
          .insertInto('endpoints')
          .values({
            provider: service.provider.encode(),
            service_code: service.serviceCode,
            method: e.method,
            path: e.path,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
    });
    await this.durable();
    await this.load();
  }

  async grant(right: AccessRightSeed): Promise<void> {
    const provider = XRoadClientId.parse(right.provider, lenient);
    const service = this.services.get(serviceKey(provider, right.serviceCode));
    if (!service)
      throw new SecurityServerError('NOT_FOUND', `no service ${right.serviceCode} of ${provider.encode()}`);
    const endpoint = right.endpoint ?? { method: ANY_METHOD, path: ANY_PATH };
    const isBase = endpoint.method === ANY_METHOD && endpoint.path === ANY_PATH;
    if (!isBase && !service.endpoints.some((e) => e.method === endpoint.method && e.path === endpoint.path))
      throw new SecurityServerError(
        'NOT_FOUND',
        `service ${right.serviceCode} has no endpoint ${endpoint.method} ${endpoint.path}`,
      );
    const subject = subjectText(parseSubject(right.subject));
    await this.db
      .insertInto('access_rights')
      .values({
        provider: provider.encode(),
        service_code: right.serviceCode,
        method: endpoint.method,
        path: endpoint.path,
        subject,
        granted_at: this.now().getTime(),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await this.durable();
    await this.load();
  }

  async revoke(right: AccessRightSeed): Promise<boolean> {
    const provider = XRoadClientId.parse(right.provider, lenient);
    const endpoint = right.endpoint ?? { method: ANY_METHOD, path: ANY_PATH };
    const r = await this.db
      .deleteFrom('access_rights')
      .where('provider', '=', provider.encode())
      .where('service_code', '=', right.serviceCode)
      .where('method', '=', endpoint.method)
      .where('path', '=', endpoint.path)
      .where('subject', '=', subjectText(parseSubject(right.subject)))
      .executeTakeFirst();
    await this.durable();
    await this.load();
    return Number(r.numDeletedRows) > 0;
  }

  async addLocalGroup(code: string, description: string, members: string[]): Promise<void> {
    LocalGroupId.parse(code);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('local_groups')
        .values({ code, description })
        .onConflict((oc) => oc.doNothing())
        .execute();
      for (const m of members)
        await trx
          .insertInto('local_group_members')
          .values({ group_code: code, client_id: XRoadClientId.parse(m, lenient).encode() })
          .onConflict((oc) => oc.doNothing())
          .execute();
    });
    await this.durable();
    await this.load();
  }

  /** Write the configuration's seed into an empty database. */
  async applySeed(seed: SecurityServerConfig['seed']): Promise<void> {
    const existing = await this.db.selectFrom('services').select('service_code').limit(1).execute();
    if (existing.length > 0) return;
    for (const s of seed.services) await this.addService(s);
    for (const g of seed.localGroups) await this.addLocalGroup(g.code, g.description, g.members);
    for (const r of seed.accessRights) await this.grant(r);
  }
}

function checkEndpoint(e: EndpointPattern): void {
  if (!isEndpointMethod(e.method) || (!e.path.startsWith('/') && e.path !== ANY_PATH))
    throw new SecurityServerError('INVALID_REQUEST', `invalid endpoint ${e.method} ${e.path}`);
}

const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The endpoints an OpenAPI 3 description defines (`paths` × operations), as access right globs. */
export function endpointsFromOpenApi(text: string): EndpointPattern[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (cause) {
    throw new SecurityServerError('INVALID_REQUEST', 'the OpenAPI description cannot be parsed', { cause });
  }
  const d = doc as { openapi?: unknown; paths?: Record<string, Record<string, unknown>> } | null;
  if (!d || typeof d.openapi !== 'string' || !d.openapi.startsWith('3.'))
    throw new SecurityServerError('INVALID_REQUEST', 'not an OpenAPI 3 description');
  const out: EndpointPattern[] = [];
  for (const [path, item] of Object.entries(d.paths ?? {})) {
    if (!path.startsWith('/') || typeof item !== 'object' || item === null) continue;
    for (const m of Object.keys(item))
      if (OPENAPI_METHODS.includes(m)) out.push({ method: m.toUpperCase(), path: openApiPathToGlob(path) });
  }
  return out;
}
