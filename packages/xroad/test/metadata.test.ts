import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  anonymiseOpenApi,
  buildClientListJson,
  buildClientListXml,
  buildRestServiceList,
  listClientsContentType,
  openApiFormat,
  parseClientListJson,
  parseClientListXml,
  parseGetOpenApiQuery,
  parseListClientsRequest,
  parseRestServiceList,
  XRoadClientId,
  XRoadServiceId,
  type ClientListEntry,
} from '../src/index.js';
import { expectCode } from './helpers.js';

// PR-META Annex C.1 (X-Road Service Metadata Protocol, CC BY-SA 3.0, NIIS): the XML and JSON listClients
// example responses, transcribed verbatim.
const C1_XML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<ns2:clientList xmlns:ns1="http://x-road.eu/xsd/identifiers" xmlns:ns2="http://x-road.eu/xsd/xroad.xsd">
    <ns2:member>
        <ns2:id ns1:objectType="MEMBER">
            <ns1:xRoadInstance>AA</ns1:xRoadInstance>
            <ns1:memberClass>GOV</ns1:memberClass>
            <ns1:memberCode>TS1OWNER</ns1:memberCode>
        </ns2:id>
        <ns2:name>TS1 Owner</ns2:name>
    </ns2:member>
    <ns2:member>
        <ns2:id ns1:objectType="MEMBER">
            <ns1:xRoadInstance>AA</ns1:xRoadInstance>
            <ns1:memberClass>GOV</ns1:memberClass>
            <ns1:memberCode>TS2OWNER</ns1:memberCode>
        </ns2:id>
        <ns2:name>TS2 Owner</ns2:name>
    </ns2:member>
    <ns2:member>
        <ns2:id ns1:objectType="MEMBER">
            <ns1:xRoadInstance>AA</ns1:xRoadInstance>
            <ns1:memberClass>ENT</ns1:memberClass>
            <ns1:memberCode>CLIENT1</ns1:memberCode>
        </ns2:id>
        <ns2:name>Client One</ns2:name>
    </ns2:member>
    <ns2:member>
        <ns2:id ns1:objectType="SUBSYSTEM">
            <ns1:xRoadInstance>AA</ns1:xRoadInstance>
            <ns1:memberClass>ENT</ns1:memberClass>
            <ns1:memberCode>CLIENT1</ns1:memberCode>
            <ns1:subsystemCode>sub</ns1:subsystemCode>
        </ns2:id>
        <ns2:name>Client One</ns2:name>
        <ns2:subsystemName>Client One Sub</ns2:subsystemName>
    </ns2:member>
</ns2:clientList>
`;

const C1_JSON = `{
  "member": [
    {
      "id": {
        "member_class": "GOV",
        "member_code": "TS1OWNER",
        "object_type": "MEMBER",
        "xroad_instance": "AA"
      },
      "name": "TS1 Owner"
    },
    {
      "id": {
        "member_class": "GOV",
        "member_code": "TS2OWNER",
        "object_type": "MEMBER",
        "xroad_instance": "AA"
      },
      "name": "TS2 Owner"
    },
    {
      "id": {
        "member_class": "ENT",
        "member_code": "CLIENT1",
        "object_type": "MEMBER",
        "xroad_instance": "AA"
      },
      "name": "Client One"
    },
    {
      "id": {
        "member_class": "ENT",
        "member_code": "CLIENT1",
        "subsystem_code": "sub",
        "object_type": "SUBSYSTEM",
        "xroad_instance": "AA"
      },
      "name": "Client One",
      "subsystem_name": "Client One Sub"
    }
  ]
}`;

const C1_ENTRIES: ClientListEntry[] = [
  { id: XRoadClientId.parse('AA/GOV/TS1OWNER'), name: 'TS1 Owner', subsystemName: null },
  { id: XRoadClientId.parse('AA/GOV/TS2OWNER'), name: 'TS2 Owner', subsystemName: null },
  { id: XRoadClientId.parse('AA/ENT/CLIENT1'), name: 'Client One', subsystemName: null },
  { id: XRoadClientId.parse('AA/ENT/CLIENT1/sub'), name: 'Client One', subsystemName: 'Client One Sub' },
];

describe('listClients (PR-MREST §2, PR-META §2 and Annex C.1)', () => {
  it('builds the XML example byte for byte and reads it back', () => {
    expect(buildClientListXml(C1_ENTRIES)).toBe(C1_XML);
    const read = parseClientListXml(C1_XML);
    expect(read.map((e) => [e.id.key, e.name, e.subsystemName])).toEqual(
      C1_ENTRIES.map((e) => [e.id.key, e.name, e.subsystemName]),
    );
  });

  it('builds the JSON example byte for byte and reads it back', () => {
    expect(JSON.stringify(buildClientListJson(C1_ENTRIES), null, 2)).toBe(C1_JSON);
    const read = parseClientListJson(JSON.parse(C1_JSON));
    expect(read.map((e) => e.id.toString())).toEqual([
      'AA/GOV/TS1OWNER',
      'AA/GOV/TS2OWNER',
      'AA/ENT/CLIENT1',
      'AA/ENT/CLIENT1/sub',
    ]);
    expect(read[3]!.subsystemName).toBe('Client One Sub');
  });

  it('reads XML whatever the namespace prefixes, and escapes names when writing', () => {
    const other = C1_XML.replace(/ns1:/g, 'id:')
      .replace(/xmlns:ns1/g, 'xmlns:id')
      .replace(/ns2:/g, '')
      .replace('xmlns:ns2', 'xmlns');
    expect(parseClientListXml(other)).toHaveLength(4);
    const xml = buildClientListXml([{ id: XRoadClientId.parse('EE/COM/1'), name: 'Smith & <Sons>' }]);
    expect(xml).toContain('<ns2:name>Smith &amp; &lt;Sons&gt;</ns2:name>');
    expect(parseClientListXml(xml)[0]!.name).toBe('Smith & <Sons>');
  });

  it('answers JSON only when Accept names application/json (PR-META §2)', () => {
    expect(listClientsContentType('application/json')).toBe('application/json');
    expect(listClientsContentType('text/html, application/json;q=0.5')).toBe('application/json');
    expect(listClientsContentType(undefined)).toBe('text/xml');
    expect(listClientsContentType('*/*')).toBe('text/xml');
    expect(listClientsContentType('application/json;q=0')).toBe('text/xml');
  });

  it('recognises listClients requests and their xRoadInstance parameter', () => {
    expect(parseListClientsRequest('GET', '/listClients')).toEqual({ instance: null });
    expect(parseListClientsRequest('GET', '/listClients?xRoadInstance=AA')).toEqual({ instance: 'AA' });
    expect(parseListClientsRequest('GET', '/r1/EE/GOV/1/s/listClients')).toBeNull();
    expect(parseListClientsRequest('GET', '/listclients')).toBeNull();
    expectCode(() => parseListClientsRequest('POST', '/listClients'), 'Client.InvalidHttpMethod');
    expectCode(() => parseListClientsRequest('GET', '/listClients?xRoadInstance=A%2FB'), 'Client.BadRequest');
    expectCode(() => parseListClientsRequest('GET', '/listClients?xRoadInstance='), 'Client.BadRequest');
  });

  it('refuses malformed or hostile client lists with coded errors', () => {
    for (const bad of [null, [], {}, { member: 'x' }, { member: [{ id: { object_type: 'MEMBER' } }] }]) {
      if (bad !== null && !Array.isArray(bad) && Object.keys(bad).length === 0) {
        expect(parseClientListJson(bad)).toEqual([]);
        continue;
      }
      expectCode(() => parseClientListJson(bad), 'MALFORMED');
    }
    const wrongType = JSON.parse(C1_JSON);
    wrongType.member[3].id.object_type = 'MEMBER';
    expectCode(() => parseClientListJson(wrongType), 'MALFORMED');
    const badId = JSON.parse(C1_JSON);
    badId.member[0].id.member_code = 'a b';
    expectCode(() => parseClientListJson(badId), 'INVALID_IDENTIFIER');
    for (const xml of [
      '',
      'not xml',
      '<clientList/>',
      C1_XML.replace('<ns1:memberCode>TS1OWNER</ns1:memberCode>', ''),
      C1_XML.replace('objectType="SUBSYSTEM"', 'objectType="MEMBER"'),
      C1_XML.replace('</ns2:clientList>', ''),
      C1_XML.replace('<ns2:name>TS1 Owner</ns2:name>', '<ns2:name>a</ns2:name><ns2:name>b</ns2:name>'),
      `<!DOCTYPE x [<!ENTITY a "${'a'.repeat(10)}">]>${C1_XML.replace(/^<\?xml[^>]*>\n/, '')}`,
    ]) {
      expectCode(() => parseClientListXml(xml), 'MALFORMED');
    }
    expectCode(() => parseClientListXml(C1_XML.replace('TS1OWNER', 'TS1 OWNER')), 'INVALID_IDENTIFIER');
    expectCode(() => parseClientListXml(' '.repeat(33 * 1024 * 1024)), 'TOO_LARGE');
  });
});

describe('listMethods / allowedMethods (PR-MREST §4)', () => {
  it('writes absent subsystem and version out, and a version in snake case', () => {
    const json = buildRestServiceList([
      {
        service: XRoadServiceId.of({
          instance: 'EE',
          memberClass: 'GOV',
          memberCode: '1',
          serviceCode: 'x',
          serviceVersion: 'v2',
        }),
        serviceType: 'REST',
        endpoints: [{ method: '*', path: '**' }],
      },
    ]);
    expect(JSON.stringify(json)).toBe(
      '{"service":[{"member_class":"GOV","member_code":"1","object_type":"SERVICE","service_code":"x","service_type":"REST","service_version":"v2","xroad_instance":"EE","endpoint_list":[{"method":"*","path":"**"}]}]}',
    );
    expect(parseRestServiceList(json)[0]!.service.serviceVersion).toBe('v2');
  });

  it('refuses malformed lists with coded errors', () => {
    expect(parseRestServiceList({ service: [] })).toEqual([]);
    for (const bad of [
      null,
      'x',
      { service: [{}] },
      {
        service: [
          {
            member_class: 'C',
            member_code: 'M',
            object_type: 'MEMBER',
            service_code: 's',
            service_type: 'REST',
            xroad_instance: 'I',
          },
        ],
      },
    ]) {
      expectCode(() => parseRestServiceList(bad), 'MALFORMED');
    }
    const badMethod = {
      service: [
        {
          member_class: 'C',
          member_code: 'M',
          object_type: 'SERVICE',
          service_code: 's',
          service_type: 'REST',
          xroad_instance: 'I',
          endpoint_list: [{ method: 'BREW', path: '/' }],
        },
      ],
    };
    expectCode(() => parseRestServiceList(badMethod), 'MALFORMED');
    const badId = {
      service: [
        {
          member_class: 'C',
          member_code: 'M M',
          object_type: 'SERVICE',
          service_code: 's',
          service_type: 'SOAP',
          xroad_instance: 'I',
        },
      ],
    };
    expectCode(() => parseRestServiceList(badId), 'MALFORMED');
    badId.service[0]!.service_type = 'REST';
    expectCode(() => parseRestServiceList(badId), 'INVALID_IDENTIFIER');
  });
});

describe('getOpenAPI (PR-MREST §5)', () => {
  it('reads serviceCode: case-insensitive name, last one wins, form-decoded', () => {
    expect(parseGetOpenApiQuery('serviceCode=listFirms')).toBe('listFirms');
    expect(parseGetOpenApiQuery('SERVICECODE=a&serviceCode=b')).toBe('b');
    expect(parseGetOpenApiQuery('x=1&serviceCode=a%2Bb')).toBe('a+b');
    for (const q of [null, '', 'serviceCode=', 'other=1', 'serviceCode=a%20b', 'serviceCode=a/b']) {
      expectCode(() => parseGetOpenApiQuery(q), 'Server.ServerProxy.InvalidRequest');
    }
  });

  it('decides JSON or YAML like the reference', () => {
    expect(openApiFormat('application/json; charset=utf-8', 'https://x/api.yaml')).toBe('json');
    expect(openApiFormat('application/x-yaml', 'https://x/api.json')).toBe('yaml');
    expect(openApiFormat(null, 'https://x/openapi.json')).toBe('json');
    expect(openApiFormat('text/plain', 'https://x/openapi')).toBe('yaml');
  });

  it('hides absolute server URLs, keeps templated and relative ones (JSON)', () => {
    const doc = {
      openapi: '3.0.3',
      servers: [
        { url: 'https://internal.example:8443/v2' },
        { url: 'https://{host}/v1' },
        { url: '/relative' },
        { description: 'no url' },
      ],
      paths: {},
    };
    const out = JSON.parse(anonymiseOpenApi(JSON.stringify(doc), 'json'));
    expect(out.servers).toEqual([
      { url: '/v2' },
      { url: 'https://{host}/v1' },
      { url: '/relative' },
      { description: 'no url' },
    ]);
  });

  it('keeps YAML comments and structure while hiding addresses', () => {
    const yaml =
      "# the pet store\nopenapi: '3.0.0'\nservers:\n  - url: 'https://petstore.niis.org/v2' # prod\npaths: {}\n";
    const out = anonymiseOpenApi(yaml, 'yaml');
    expect(out).toContain('# the pet store');
    expect(parseYaml(out)).toEqual({ openapi: '3.0.0', servers: [{ url: '/v2' }], paths: {} });
  });

  it('follows YAML aliases to the servers it hides', () => {
    const yaml = "openapi: '3.0.0'\nx-prod: &prod\n  - url: https://internal.example/v2\nservers: *prod\n";
    expect(parseYaml(anonymiseOpenApi(yaml, 'yaml')).servers).toEqual([{ url: '/v2' }]);
  });

  it('refuses non-OpenAPI-3, malformed and hostile descriptions with coded errors', () => {
    expectCode(() => anonymiseOpenApi('{"swagger":"2.0","openapi":"2.0"}', 'json'), 'UNSUPPORTED_VERSION');
    expectCode(() => anonymiseOpenApi('openapi: 3.0\n', 'yaml'), 'UNSUPPORTED_VERSION');
    expectCode(() => anonymiseOpenApi('{', 'json'), 'MALFORMED');
    expectCode(() => anonymiseOpenApi('[1]', 'json'), 'MALFORMED');
    expectCode(() => anonymiseOpenApi('a: [', 'yaml'), 'MALFORMED');
    expectCode(() => anonymiseOpenApi('- 1\n', 'yaml'), 'MALFORMED');
    expectCode(() => anonymiseOpenApi('a: 1\na: 2\n', 'yaml'), 'MALFORMED');
    expectCode(
      () => anonymiseOpenApi('{"openapi":"3.0.0","servers":[{"url":"http://[::1"}]}', 'json'),
      'MALFORMED',
    );
    const laughs = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++)
      laughs.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      );
    const bomb = `openapi: "3.0.0"\n${laughs.join('\n')}\n`;
    expect(anonymiseOpenApi(bomb, 'yaml').length).toBeLessThan(bomb.length * 2); // not expanded
    expectCode(() => anonymiseOpenApi('x'.repeat(9 * 1024 * 1024), 'json'), 'TOO_LARGE');
  });
});
