import { z } from 'zod';
import { fromBase64, toBase64 } from '@riik/core';
import { HttpProblem, readBody, readJson, requireBearer, sendBytes, sendJson, type Route } from '@riik/http';
import { Certificate } from '@riik/pki';
import { GCONF_VERSION, SecurityServerId, XRoadClientId, XRoadIdError } from '@riik/xroad';
import type { RegistrationRequest, Registry } from '../db/registry.js';
import { CentralError } from '../errors.js';
import { submitManagementRequest } from '../management.js';
import type { GlobalConfPublisher } from '../publisher.js';

const BODY_LIMIT = 256 * 1024;

export interface CentralRouteContext {
  registry: Registry;
  publisher: GlobalConfPublisher;
  operatorToken: string;
  anchorXml: () => string;
  now: () => Date;
}

function toProblem(err: unknown): never {
  if (err instanceof CentralError) {
    const status =
      err.code === 'NOT_FOUND'
        ? 404
        : err.code === 'CONFLICT'
          ? 409
          : err.code === 'BAD_SIGNATURE' || err.code === 'UNTRUSTED_CERTIFICATE'
            ? 403
            : 400;
    throw new HttpProblem(status, err.code, err.message, { cause: err });
  }
  if (err instanceof XRoadIdError) throw new HttpProblem(400, err.code, err.message, { cause: err });
  throw err;
}

const clientIdSchema = z
  .string()
  .min(1)
  .max(1024)
  .transform((s, ctx) => {
    try {
      return XRoadClientId.parse(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
const serverIdSchema = z
  .string()
  .min(1)
  .max(1024)
  .transform((s, ctx) => {
    try {
      return SecurityServerId.parse(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
const certSchema = z
  .string()
  .min(1)
  .max(65_536)
  .transform((s, ctx) => {
    try {
      return Certificate.from(s.includes('-----BEGIN') ? s : fromBase64(s));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a certificate: ${(err as Error).message}` });
      return z.NEVER;
    }
  });
const ocspSchema = z
  .array(z.object({ url: z.url(), cert: certSchema.optional() }))
  .max(8)
  .default([]);

const schemas = {
  memberClass: z.object({ code: z.string().min(1).max(64), description: z.string().max(256) }).strict(),
  member: z.object({ id: clientIdSchema, name: z.string().min(1).max(256) }).strict(),
  subsystem: z.object({ id: clientIdSchema }).strict(),
  server: z.object({ id: serverIdSchema, address: z.string().min(1).max(255).optional() }).strict(),
  authCert: z.object({ certificate: certSchema }).strict(),
  serverClient: z.object({ client: clientIdSchema }).strict(),
  group: z.object({ code: z.string().min(1).max(64), description: z.string().max(256) }).strict(),
  groupMember: z.object({ client: clientIdSchema }).strict(),
  ca: z
    .object({
      name: z.string().min(1).max(256),
      authenticationOnly: z.boolean().default(false),
      top: z.object({ cert: certSchema, ocsp: ocspSchema }),
      intermediates: z
        .array(z.object({ cert: certSchema, ocsp: ocspSchema }))
        .max(8)
        .default([]),
      certificateProfileInfo: z.string().min(1).max(256).default('riik.ee'),
    })
    .strict(),
  tsa: z.object({ name: z.string().min(1).max(256), url: z.url(), cert: certSchema }).strict(),
  reject: z.object({ comment: z.string().max(1024).optional() }).strict(),
};

export function requestJson(r: RegistrationRequest) {
  return {
    id: r.id,
    type: r.type,
    status: r.status,
    server: r.server.encode(),
    client: r.client?.encode() ?? null,
    address: r.address,
    certificate: r.cert ? toBase64(r.cert) : null,
    createdAt: r.createdAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
    comment: r.comment,
  };
}

/** HTTP routes: configuration distribution (public), management requests (signed), operator API (bearer). */
export function centralRoutes(ctx: CentralRouteContext): Route[] {
  const { registry, publisher } = ctx;
  const auth = (req: Parameters<typeof requireBearer>[0]) => requireBearer(req, ctx.operatorToken);
  const op = <T>(
    method: 'POST' | 'GET' | 'DELETE',
    path: string,
    schema: z.ZodType<T> | null,
    run: (body: T, params: Record<string, string>) => Promise<unknown>,
    status = 200,
  ): Route => ({
    method,
    path,
    handler: async ({ req, res, params }) => {
      auth(req);
      const body = schema ? await readJson(req, BODY_LIMIT, (v) => schema.parse(v)) : (undefined as T);
      const result = await run(body, params).catch(toProblem);
      sendJson(res, status, result ?? { ok: true });
      if (method !== 'GET') void publisher.publish();
    },
  });

  return [
    // --- PR-GCONF distribution ------------------------------------------------------------
    {
      method: 'GET',
      path: '/internalconf',
      name: 'internalconf',
      handler: ({ res, url }) => {
        const version = url.searchParams.get('version');
        if (version !== null && version !== String(GCONF_VERSION))
          throw new HttpProblem(404, 'NOT_FOUND', `configuration version ${version} is not available`);
        const dir = publisher.directory();
        if (!dir) throw new HttpProblem(503, 'NOT_READY', 'the global configuration is being generated');
        sendBytes(res, 200, dir.contentType, dir.body, { 'cache-control': 'no-store' });
      },
    },
    {
      method: 'GET',
      path: `/V${GCONF_VERSION}/:generation/:file`,
      name: 'conf-file',
      handler: ({ res, params }) => {
        const file = publisher.file(params.generation ?? '', params.file ?? '');
        if (!file) throw new HttpProblem(404, 'NOT_FOUND', 'no such configuration file');
        sendBytes(res, 200, 'application/octet-stream', file, {
          'cache-control': 'public, max-age=86400, immutable',
        });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/anchor',
      handler: ({ res }) =>
        sendBytes(res, 200, 'application/xml; charset=utf-8', Buffer.from(ctx.anchorXml())),
    },
    // --- management requests from security servers ----------------------------------------
    {
      method: 'POST',
      path: '/managementservice/v1/requests',
      name: 'management',
      handler: async ({ req, res }) => {
        let json: unknown;
        try {
          json = JSON.parse((await readBody(req, BODY_LIMIT)).toString('utf8'));
        } catch (err) {
          if (err instanceof HttpProblem) throw err;
          throw new HttpProblem(400, 'MALFORMED_JSON', 'request body is not valid JSON');
        }
        const filed = await submitManagementRequest(registry, json, ctx.now()).catch(toProblem);
        sendJson(res, 202, requestJson(filed));
      },
    },
    // --- operator API ------------------------------------------------------------------------
    op('GET', '/api/v1/requests', null, async () => ({
      requests: (await registry.requests()).map(requestJson),
    })),
    op('POST', '/api/v1/requests/:id/approve', null, async (_b, p) =>
      requestJson(await registry.approve(Number(p.id), ctx.now())),
    ),
    op('POST', '/api/v1/requests/:id/reject', schemas.reject, async (b, p) =>
      requestJson(await registry.reject(Number(p.id), b.comment ?? null, ctx.now())),
    ),
    op(
      'POST',
      '/api/v1/member-classes',
      schemas.memberClass,
      (b) => registry.addMemberClass(b.code, b.description),
      201,
    ),
    op('POST', '/api/v1/members', schemas.member, (b) => registry.addMember(b.id, b.name), 201),
    op('POST', '/api/v1/subsystems', schemas.subsystem, (b) => registry.addSubsystem(b.id), 201),
    op(
      'POST',
      '/api/v1/security-servers',
      schemas.server,
      (b) => registry.addSecurityServer(b.id, b.address ?? null),
      201,
    ),
    op(
      'POST',
      '/api/v1/security-servers/:id/auth-certs',
      schemas.authCert,
      (b, p) => registry.addAuthCert(SecurityServerId.parse(p.id ?? ''), b.certificate.der, ctx.now()),
      201,
    ),
    op('POST', '/api/v1/auth-certs/delete', schemas.authCert, async (b) => {
      if (!(await registry.removeAuthCert(b.certificate.der)))
        throw new CentralError('NOT_FOUND', 'no such registered authentication certificate');
    }),
    op(
      'POST',
      '/api/v1/security-servers/:id/clients',
      schemas.serverClient,
      (b, p) => registry.addServerClient(SecurityServerId.parse(p.id ?? ''), b.client),
      201,
    ),
    op(
      'POST',
      '/api/v1/global-groups',
      schemas.group,
      (b) => registry.addGlobalGroup(b.code, b.description),
      201,
    ),
    op(
      'POST',
      '/api/v1/global-groups/:code/members',
      schemas.groupMember,
      (b, p) => registry.addGlobalGroupMember(p.code ?? '', b.client),
      201,
    ),
    op(
      'POST',
      '/api/v1/approved-cas',
      schemas.ca,
      (b) =>
        registry.addApprovedCa({
          name: b.name,
          authenticationOnly: b.authenticationOnly,
          topCa: {
            cert: b.top.cert.der,
            ocsp: b.top.ocsp.map((o) => ({ url: o.url, ...(o.cert ? { cert: o.cert.der } : {}) })),
          },
          intermediateCas: b.intermediates.map((i) => ({
            cert: i.cert.der,
            ocsp: i.ocsp.map((o) => ({ url: o.url, ...(o.cert ? { cert: o.cert.der } : {}) })),
          })),
          certificateProfileInfo: b.certificateProfileInfo,
        }),
      201,
    ),
    op(
      'POST',
      '/api/v1/approved-tsas',
      schemas.tsa,
      (b) => registry.addApprovedTsa({ name: b.name, url: b.url, cert: b.cert.der }),
      201,
    ),
    op('POST', '/api/v1/global-configuration/publish', null, async () => {
      await publisher.publish();
      return { generation: publisher.directory()?.generation ?? null };
    }),
  ];
}
