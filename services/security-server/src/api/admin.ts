import { z } from 'zod';
import { XRoadServiceId } from '@riik/xroad';
import { HttpProblem, readJson, requireBearer, sendJson, type Route } from '@riik/http';
import { accessRightSeedSchema, serviceSeedSchema } from '../config.js';
import type { SecurityServerContext } from '../context.js';
import { SecurityServerError } from '../errors.js';
import { subjectText } from '../serverconf.js';

const LIMIT = 256 * 1024;

function toProblem(err: unknown): never {
  if (err instanceof SecurityServerError)
    throw new HttpProblem(
      err.code === 'NOT_FOUND' ? 404 : err.code === 'CONFLICT' ? 409 : 400,
      err.code,
      err.message,
      { cause: err },
    );
  throw err;
}

export interface AdminActions {
  refreshOpenApi(): Promise<void>;
  archive(): Promise<string[]>;
}

const opmonQuery = z.object({
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  client: z.string().max(1024).optional(),
  service: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

/**
 * The security server's local admin API (bearer token from `admin.token`), on the client proxy port:
 * services and access rights of the server's clients, operational monitoring data for the owner, and
 * on-demand time-stamping and archiving.
 */
export function adminRoutes(ctx: SecurityServerContext, token: string, actions: AdminActions): Route[] {
  const auth = (req: Parameters<typeof requireBearer>[0]) => requireBearer(req, token);
  return [
    {
      method: 'GET',
      path: '/admin/v1/status',
      handler: ({ req, res }) => {
        auth(req);
        const conf = ctx.gconf.current();
        sendJson(res, 200, {
          serverId: ctx.serverId.encode(),
          clients: ctx.localClients.map((c) => c.encode()),
          globalConf: conf
            ? {
                expires: conf.expiresAt.toISOString(),
                expired: conf.isExpired(ctx.now()),
                error: ctx.gconf.error ?? null,
              }
            : { expires: null, expired: true, error: ctx.gconf.error ?? null },
          certificates: { auth: ctx.own.problem('auth') ?? 'good', sign: ctx.own.problem('sign') ?? 'good' },
          messageLog: {
            refusing: ctx.messageLog.refusal() ?? null,
            lastTimestamp: ctx.timestamper.lastSuccess?.toISOString() ?? null,
            timestampError: ctx.timestamper.lastError ?? null,
          },
        });
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/services',
      handler: ({ req, res }) => {
        auth(req);
        sendJson(res, 200, {
          services: ctx.localClients.flatMap((c) =>
            ctx.serverConf.servicesOf(c).map((s) => ({
              provider: s.provider.encode(),
              serviceCode: s.serviceCode,
              url: s.url,
              type: s.type,
              openApiUrl: s.openApiUrl,
              endpoints: s.endpoints,
              accessRights: ctx.serverConf
                .rightsOf(XRoadServiceId.ofProvider(s.provider, s.serviceCode))
                .map((r) => ({ endpoint: r.endpoint, subject: subjectText(r.subject) })),
            })),
          ),
        });
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/services',
      handler: async ({ req, res }) => {
        auth(req);
        const seed = await readJson(req, LIMIT, (v) => serviceSeedSchema.parse(v));
        await ctx.serverConf.addService(seed).catch(toProblem);
        await actions.refreshOpenApi();
        sendJson(res, 201, { ok: true });
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/access-rights',
      handler: async ({ req, res }) => {
        auth(req);
        const right = await readJson(req, LIMIT, (v) => accessRightSeedSchema.parse(v));
        await ctx.serverConf.grant(right).catch(toProblem);
        sendJson(res, 201, { ok: true });
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/access-rights/revoke',
      handler: async ({ req, res }) => {
        auth(req);
        const right = await readJson(req, LIMIT, (v) => accessRightSeedSchema.parse(v));
        const removed = await ctx.serverConf.revoke(right).catch(toProblem);
        sendJson(res, removed ? 200 : 404, { removed });
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/opmon',
      handler: async ({ req, res, url }) => {
        auth(req);
        const q = opmonQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success) throw new HttpProblem(400, 'INVALID_REQUEST', 'invalid operational monitoring query');
        sendJson(res, 200, { records: await ctx.opmon.query(q.data) });
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/timestamp',
      handler: async ({ req, res }) => {
        auth(req);
        const stamped = await ctx.timestamper.run();
        sendJson(res, 200, { stamped, error: ctx.timestamper.lastError ?? null });
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/archive',
      handler: async ({ req, res }) => {
        auth(req);
        sendJson(res, 200, { archives: await actions.archive() });
      },
    },
  ];
}
