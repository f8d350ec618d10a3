import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTestJson, testDataDir } from '@riik/testing';
import { parse as parseYaml } from 'yaml';
import {
  anonymiseOpenApi,
  buildProviderRequest,
  buildRestRequestPart,
  buildRestServiceList,
  classifyResponse,
  isValidIdentifierValue,
  parseGetOpenApiQuery,
  parseRestRequest,
  parseRestServiceList,
  parseUserId,
  parseRepresentedParty,
  requestHash,
  requestHashMatches,
  SecurityServerId,
  XRoadClientId,
  XRoadFault,
  XRoadServiceId,
  type HeaderList,
} from '../src/index.js';
import { expectCode, uuidSequence } from './helpers.js';

/*
 * Every case of ../shared/test-data/xroad (PR-REST 1.0.4, PR-MREST 0.8 and the reference
 * implementation's RestRequestTest), fed to the library as the README says.
 */

interface RequestCase {
  id: string;
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body?: string;
  expected: Record<string, unknown> & { valid: boolean };
  response?: { status: number; headers?: Array<[string, string]>; body?: unknown; bodyFile?: string };
}

interface Cases {
  requests: RequestCase[];
  identifiers: Array<{ header: string; value: string; expected: Record<string, unknown> }>;
  identifierCharacters: { allowed: string; cases: Array<{ value: string; valid: boolean }> };
  errors: Array<{
    id: string;
    status: number;
    headers: Array<[string, string]>;
    body: Record<string, unknown>;
    expected: {
      category: number;
      errorSource: string;
      component?: string;
      xRoadError: string | null;
      xRoadErrorType: string | null;
      passedThrough: boolean;
    };
  }>;
  errorRules: { classificationCases: Array<{ type: string; component: string }> };
  requestHash: { valuesInSpec: Array<{ where: string; value: string; note?: string }> };
}

const cases = readTestJson<Cases>('xroad', 'cases.json');

/** The fault each invalid request case must produce (a new invalid case must be added here). */
const FAULT_OF_INVALID_CASE: Record<string, string> = {
  'rest-4.2-fully-encoded-service-id': 'Client.BadRequest',
  'impl-wrong-protocol-version': 'Client.InvalidProtocolVersion',
  'impl-absolute-url': 'Client.BadRequest',
  'impl-invalid-verb': 'Client.InvalidHttpMethod',
  'impl-represented-party-three-parts': 'Client.BadRequest',
};

describe('test data: requests[]', () => {
  it('has all 18 request cases', () => expect(cases.requests).toHaveLength(18));

  for (const c of cases.requests) {
    it(`${c.id}`, () => {
      const headers: HeaderList = c.headers;
      if (!c.expected.valid) {
        expect(FAULT_OF_INVALID_CASE[c.id], `fault for ${c.id}`).toBeDefined();
        expectCode(() => parseRestRequest(c.method, c.target, headers), FAULT_OF_INVALID_CASE[c.id]!);
        return;
      }
      let request;
      if (c.expected.identifierCharactersAllowed === false) {
        // §4.2's BAR%2FSERVICE: the URI parses, but §4.8 forbids "/" in a service code.
        expectCode(() => parseRestRequest(c.method, c.target, headers), 'Client.BadRequest');
        request = parseRestRequest(c.method, c.target, headers, { policy: 'lenient' });
        expect(isValidIdentifierValue(request.service.serviceCode)).toBe(false);
      } else {
        request = parseRestRequest(c.method, c.target, headers);
      }
      const e = c.expected;
      if ('protocolVersion' in e) expect(request.protocolVersion).toBe(e.protocolVersion);
      if ('service' in e)
        expect({ ...request.service.toJSON(), serviceVersion: undefined }).toEqual({
          ...(e.service as object),
          serviceVersion: undefined,
        });
      if ('servicePath' in e) expect(request.servicePath).toBe(e.servicePath);
      if ('query' in e) expect(request.query).toBe(e.query);
      if ('client' in e) expect(request.client.toJSON()).toEqual(e.client);
      if ('messageId' in e) expect(request.messageId).toBe(e.messageId);
      if ('representedParty' in e) expect(request.representedParty).toEqual(e.representedParty);
      if ('metaservice' in e) expect(request.metaservice).toBe(e.metaservice);
      else expect(request.metaservice).toBeNull();
      if ('queryParams' in e) {
        expect(parseGetOpenApiQuery(request.query)).toBe(
          (e.queryParams as { serviceCode: string }).serviceCode,
        );
      }
      if ('providerRequest' in e) {
        const expected = e.providerRequest as { serviceBaseUrl: string; url: string; method: string };
        const part = buildRestRequestPart(request, {
          requestId: 'f92591a3-6bf0-49b1-987b-0dd78c034cc3',
          newMessageId: uuidSequence(),
        });
        const provider = buildProviderRequest(part, expected.serviceBaseUrl);
        expect(provider.url).toBe(expected.url);
        expect(provider.method).toBe(expected.method);
        // The provider receives the client's own headers (Accept, Content-Type) unmodified.
        for (const [name, value] of c.headers.filter(([n]) => !n.toLowerCase().startsWith('x-road-'))) {
          expect(provider.headers).toContainEqual([name, value]);
        }
        expect(provider.headers).toContainEqual(['x-road-client', request.client.encode()]);
        if (c.body !== undefined) {
          // The spec prints no request bytes, so the hash values cannot be reproduced (README); what
          // holds is the shape: 64 bytes, and a body changes it.
          const withBody = requestHash(part.bytes, Buffer.from(c.body));
          expect(Buffer.from(withBody, 'base64')).toHaveLength(64);
          expect(withBody).not.toBe(requestHash(part.bytes));
        }
      }
      if (c.response?.headers) {
        // §6: what the client gets back carries the X-Road response headers of this very request.
        const h = c.response.headers;
        const classification = classifyResponse(c.response.status, h);
        expect(classification).toMatchObject({
          source: 'provider-information-system',
          passedThrough: true,
          category: null,
        });
        const get = (n: string): string => h.find(([k]) => k.toLowerCase() === n)![1];
        expect(XRoadClientId.parse(get('x-road-client')).equals(request.client)).toBe(true);
        expect(XRoadServiceId.parse(get('x-road-service')).equals(request.service)).toBe(true);
        expect(Buffer.from(get('x-road-request-hash'), 'base64')).toHaveLength(64);
      }
    });
  }
});

describe('test data: identifiers[]', () => {
  it('has all 13 identifier cases', () => expect(cases.identifiers).toHaveLength(13));

  for (const c of cases.identifiers) {
    it(`${c.header}: ${c.value}`, () => {
      switch (c.header) {
        case 'X-Road-Client':
          if (c.expected.valid === false) expectCode(() => XRoadClientId.parse(c.value), 'WRONG_PART_COUNT');
          else expect(XRoadClientId.parse(c.value).toJSON()).toEqual(c.expected);
          break;
        case 'X-Road-Service':
          expect(XRoadServiceId.parse(c.value).toJSON()).toEqual({ ...c.expected, serviceVersion: null });
          break;
        case 'X-Road-Security-Server':
          expect(SecurityServerId.parse(c.value).toJSON()).toEqual(c.expected);
          break;
        case 'X-Road-Represented-Party':
          expect(parseRepresentedParty(c.value)).toEqual(c.expected);
          break;
        case 'X-Road-UserId':
          expect(parseUserId(c.value)).toMatchObject(c.expected);
          break;
        case 'X-Road-Id': {
          const r = parseRestRequest('GET', '/r1/I/C/M/S/code', [
            ['X-Road-Client', 'I/C/M'],
            [c.header, c.value],
          ]);
          expect({ messageId: r.messageId }).toEqual(c.expected);
          break;
        }
        case 'X-Road-Issue': {
          const r = parseRestRequest('GET', '/r1/I/C/M/S/code', [
            ['X-Road-Client', 'I/C/M'],
            [c.header, c.value],
          ]);
          expect({ issue: r.issue }).toEqual(c.expected);
          break;
        }
        default:
          throw new Error(`no test for header ${c.header}`);
      }
    });
  }
});

describe('test data: identifierCharacters (PR-REST §4.8)', () => {
  for (const c of cases.identifierCharacters.cases) {
    it(`${JSON.stringify(c.value)} is ${c.valid ? 'allowed' : 'not allowed'}`, () => {
      expect(isValidIdentifierValue(c.value)).toBe(c.valid);
      const make = (): unknown =>
        XRoadClientId.of({ instance: 'EE', memberClass: 'GOV', memberCode: c.value });
      if (c.valid) make();
      else expectCode(make, 'INVALID_CHARACTER');
    });
  }
});

const COMPONENT_OF = {
  'provider Security Server (Server.ServerProxy)': 'provider-security-server',
  'consumer information system request rejected (Client)': 'consumer-information-system',
  'provider Security Server': 'provider-security-server',
  'consumer Security Server': 'consumer-security-server',
  'consumer information system': 'consumer-information-system',
} as const;

describe('test data: errors[] (PR-REST §4.6)', () => {
  it('has all 4 error examples', () => expect(cases.errors).toHaveLength(4));

  for (const c of cases.errors) {
    it(c.id, () => {
      const result = classifyResponse(c.status, c.headers, c.body);
      const e = c.expected;
      expect(result.category).toBe(e.category);
      expect(result.source).toBe(e.errorSource === 'X-Road' ? 'x-road' : 'provider-information-system');
      expect(result.xRoadError).toBe(e.xRoadError);
      expect(result.type).toBe(e.xRoadErrorType);
      expect(result.passedThrough).toBe(e.passedThrough);
      if (e.component) expect(result.component).toBe(COMPONENT_OF[e.component as keyof typeof COMPONENT_OF]);
      if (e.xRoadErrorType) {
        // What riik's Security Server would send for the same fault: same status, header and body.
        const fault = new XRoadFault(e.xRoadErrorType as never, c.body.message as string);
        expect(fault.status).toBe(c.status);
      }
    });
  }

  for (const c of cases.errorRules.classificationCases) {
    it(`${c.type} points at the ${c.component}`, () => {
      const result = classifyResponse(500, [['X-Road-Error', c.type]], { type: c.type });
      expect(result.component).toBe(COMPONENT_OF[c.component as keyof typeof COMPONENT_OF]);
    });
  }
});

describe('test data: requestHash values printed in the spec', () => {
  for (const v of cases.requestHash.valuesInSpec) {
    it(`${v.where}${v.note ? ' (the UUID typo)' : ''}`, () => {
      const bytes = Buffer.from(v.value, 'base64');
      if (v.note) {
        // §4.3's "4c519cf0-..." is a UUID, not a SHA-512 digest: never accepted as a request hash.
        expect(requestHashMatches(v.value, new Uint8Array(64))).toBe(false);
      } else {
        expect(bytes).toHaveLength(64);
        expect(bytes.toString('base64')).toBe(v.value);
        // Canonical base64 of 64 bytes: compared against itself it matches, against anything else not.
        expect(requestHashMatches(v.value, new Uint8Array(bytes))).toBe(true);
        expect(requestHashMatches(v.value, new Uint8Array(64))).toBe(false);
      }
    });
  }
});

describe('test data: PR-MREST Annex B responses', () => {
  for (const file of ['mrest-listMethods-response.json', 'mrest-allowedMethods-response.json']) {
    it(`${file} parses and is rebuilt byte for byte`, () => {
      const text = readFileSync(testDataDir('xroad', file), 'utf8');
      const services = parseRestServiceList(JSON.parse(text));
      expect(services.length).toBeGreaterThan(0);
      for (const s of services)
        expect(s.service.provider.toString()).toBe('INSTANCE/CLASS2/MEMBER2/SUBSYSTEM2');
      expect(JSON.stringify(buildRestServiceList(services), null, 2)).toBe(text.trimEnd());
    });
  }

  it('listMethods lists payloadgen (OPENAPI, 19 endpoints) and kore (REST, 3)', () => {
    const services = parseRestServiceList(readTestJson('xroad', 'mrest-listMethods-response.json'));
    expect(services.map((s) => [s.service.serviceCode, s.serviceType, s.endpoints.length])).toEqual([
      ['payloadgen', 'OPENAPI', 19],
      ['kore', 'REST', 3],
    ]);
  });

  it('mrest-getOpenAPI-response.yaml is OpenAPI 3 and its server address is hidden', () => {
    const yaml = readFileSync(testDataDir('xroad', 'mrest-getOpenAPI-response.yaml'), 'utf8');
    const out = parseYaml(anonymiseOpenApi(yaml, 'yaml')) as {
      openapi: string;
      servers: Array<{ url: string }>;
      paths: object;
    };
    const original = parseYaml(yaml) as { servers: Array<{ url: string }>; paths: object };
    expect(original.servers[0]!.url).toBe('https://example.com');
    expect(out.openapi).toBe('3.0.0');
    expect(out.servers).toEqual([{ url: '/' }]);
    expect(out.paths).toEqual(original.paths);
  });
});
