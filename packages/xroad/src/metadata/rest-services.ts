import { z } from 'zod';
import { XRoadServiceId } from '../identifiers/service-id.js';
import type { IdentifierOptions } from '../identifiers/parts.js';
import { HTTP_METHODS } from '../rest/request.js';
import { MetadataError } from './errors.js';

/** `RestServiceType` of the X-Road service metainfo schema: a plain REST service or one described by OpenAPI 3. */
export type RestServiceType = 'REST' | 'OPENAPI';

/** One endpoint of a REST service; the method may be `*` and the path may hold `*`/`**` wildcards. */
export interface RestEndpoint {
  readonly method: string;
  readonly path: string;
}

/** One entry of a listMethods / allowedMethods answer (PR-MREST §4, `XRoadRestServiceDetailsType`). */
export interface RestServiceDetails {
  readonly service: XRoadServiceId;
  readonly serviceType: RestServiceType;
  readonly endpoints: ReadonlyArray<RestEndpoint>;
}

/** The JSON a Security Server sends for listMethods / allowedMethods (PR-MREST Annex B.1, B.2). */
export interface RestServiceListJson {
  service: Array<{
    member_class: string;
    member_code: string;
    object_type: 'SERVICE';
    service_code: string;
    service_type: RestServiceType;
    service_version?: string;
    subsystem_code?: string;
    xroad_instance: string;
    endpoint_list: Array<{ method: string; path: string }>;
  }>;
}

/**
 * Builds the listMethods / allowedMethods response body. Field names and order are those of the
 * PR-MREST Annex B examples — the reference serialises its schema types in snake case, not the camel
 * case of the Annex A OpenAPI description — and absent optional fields are left out.
 */
export function buildRestServiceList(services: ReadonlyArray<RestServiceDetails>): RestServiceListJson {
  return {
    service: services.map(({ service, serviceType, endpoints }) => ({
      member_class: service.memberClass,
      member_code: service.memberCode,
      object_type: 'SERVICE' as const,
      service_code: service.serviceCode,
      service_type: serviceType,
      ...(service.serviceVersion === null ? {} : { service_version: service.serviceVersion }),
      ...(service.subsystemCode === null ? {} : { subsystem_code: service.subsystemCode }),
      xroad_instance: service.instance,
      endpoint_list: endpoints.map(({ method, path }) => ({ method, path })),
    })),
  };
}

const MAX_SERVICES = 100_000;
const MAX_ENDPOINTS = 100_000;

const EndpointJson = z.object({
  method: z.union([z.enum(HTTP_METHODS), z.literal('*')]),
  path: z.string().min(1).max(4096),
});

const ServiceJson = z.object({
  member_class: z.string(),
  member_code: z.string(),
  object_type: z.literal('SERVICE'),
  service_code: z.string(),
  service_type: z.enum(['REST', 'OPENAPI']),
  service_version: z.string().nullish(),
  subsystem_code: z.string().nullish(),
  xroad_instance: z.string(),
  endpoint_list: z.array(EndpointJson).max(MAX_ENDPOINTS).nullish(),
});

const ServiceListJson = z.object({ service: z.array(ServiceJson).max(MAX_SERVICES).nullish() });

/** Reads a listMethods / allowedMethods response body (already JSON-parsed). */
export function parseRestServiceList(json: unknown, options?: IdentifierOptions): RestServiceDetails[] {
  const parsed = ServiceListJson.safeParse(json);
  if (!parsed.success)
    throw new MetadataError('MALFORMED', 'not a REST service list', { cause: parsed.error });
  return (parsed.data.service ?? []).map((s) => ({
    service: MetadataError.wrap(() =>
      XRoadServiceId.of(
        {
          instance: s.xroad_instance,
          memberClass: s.member_class,
          memberCode: s.member_code,
          subsystemCode: s.subsystem_code ?? null,
          serviceCode: s.service_code,
          serviceVersion: s.service_version ?? null,
        },
        options,
      ),
    ),
    serviceType: s.service_type,
    endpoints: (s.endpoint_list ?? []).map(({ method, path }) => ({ method, path })),
  }));
}
