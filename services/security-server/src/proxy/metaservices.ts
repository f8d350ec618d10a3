import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  anonymiseOpenApi,
  buildClientListJson,
  buildClientListXml,
  buildRestServiceList,
  listClientsContentType,
  MAX_OPENAPI_LENGTH,
  MetadataError,
  openApiFormat,
  parseGetOpenApiQuery,
  parseListClientsRequest,
  XRoadFault,
  XRoadServiceId,
  type GlobalConf,
  type HeaderList,
  type RestRequestPart,
} from '@riik/xroad';
import type { SecurityServerContext } from '../context.js';

/**
 * listClients (PR-MREST §2, PR-META §2) on the client proxy: every member and subsystem of the
 * instance, from the global configuration, as JSON when asked for by name, otherwise XML.
 */
export function handleListClients(req: IncomingMessage, res: ServerResponse, gconf: GlobalConf): void {
  const q = parseListClientsRequest(req.method ?? '', req.url ?? '');
  if (q?.instance && q.instance !== gconf.instance)
    throw new XRoadFault('Client.BadRequest', `unknown instance ${q.instance}`);
  const entries = gconf.members().map(({ id, name }) => ({ id, name }));
  const type = listClientsContentType(req.headers.accept);
  const body =
    type === 'application/json' ? JSON.stringify(buildClientListJson(entries)) : buildClientListXml(entries);
  res.writeHead(200, { 'content-type': `${type};charset=utf-8`, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

function answer(status: number, contentType: string, body: string) {
  const headers: HeaderList = [['Content-Type', contentType]];
  return { status, reason: '', headers, body: once(Buffer.from(body, 'utf8')) };
}

/**
 * The provider's metaservices (PR-MREST §4, §5), answered by the provider's security server itself
 * and sent back like any service response — signed and logged: listMethods (the provider's REST
 * services), allowedMethods (those the client has access rights to, with the endpoints it may call)
 * and getOpenAPI (the service description, with the provider's addresses hidden).
 */
export async function answerMetaservice(
  ctx: SecurityServerContext,
  part: RestRequestPart,
  gconf: GlobalConf,
) {
  const { client, service, metaservice } = part.request;
  const provider = service.provider;
  const entries = ctx.serverConf.servicesOf(provider);
  const details = (e: (typeof entries)[number], endpoints: Array<{ method: string; path: string }>) => ({
    service: XRoadServiceId.ofProvider(provider, e.serviceCode),
    serviceType: e.type,
    endpoints,
  });
  switch (metaservice) {
    case 'listMethods':
      return answer(
        200,
        'application/json;charset=utf-8',
        JSON.stringify(buildRestServiceList(entries.map((e) => details(e, [...e.endpoints])))),
      );
    case 'allowedMethods': {
      const allowed = entries
        .map((e) => ({ e, endpoints: ctx.serverConf.allowedEndpoints(client, e, gconf) }))
        .filter((x) => x.endpoints.length > 0)
        .map((x) => details(x.e, x.endpoints));
      return answer(200, 'application/json;charset=utf-8', JSON.stringify(buildRestServiceList(allowed)));
    }
    case 'getOpenAPI': {
      const code = parseGetOpenApiQuery(part.request.query);
      const entry = entries.find((e) => e.serviceCode === code);
      if (!entry) throw new XRoadFault('Server.ServerProxy.UnknownService', `unknown service ${code}`);
      if (entry.type !== 'OPENAPI' || !entry.openApiUrl)
        throw new XRoadFault(
          'Server.ServerProxy.InvalidRequest',
          `service ${code} has no OpenAPI description`,
        );
      let r: Response;
      try {
        r = await fetch(entry.openApiUrl, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
      } catch (cause) {
        throw new XRoadFault(
          'Server.ServerProxy.NetworkError',
          `cannot download the description of ${code}`,
          { cause },
        );
      }
      const text = await r.text();
      if (!r.ok || text.length > MAX_OPENAPI_LENGTH)
        throw new XRoadFault(
          'Server.ServerProxy.ServiceFailed',
          `the description of ${code} is not available`,
        );
      const format = openApiFormat(r.headers.get('content-type'), entry.openApiUrl);
      let body: string;
      try {
        body = anonymiseOpenApi(text, format);
      } catch (cause) {
        if (cause instanceof MetadataError)
          throw new XRoadFault(
            'Server.ServerProxy.InvalidResponse',
            `the description of ${code} is not OpenAPI 3`,
            { cause },
          );
        throw cause;
      }
      return answer(
        200,
        format === 'json' ? 'application/json;charset=utf-8' : 'text/yaml;charset=utf-8',
        body,
      );
    }
    default:
      throw new XRoadFault('Server.ServerProxy.UnknownService', 'unknown metaservice');
  }
}
