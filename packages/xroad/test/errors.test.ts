import { describe, expect, it } from 'vitest';
import {
  buildErrorResponse,
  classifyResponse,
  errorComponent,
  faultStatus,
  isXRoadFaultType,
  negotiateContentType,
  parseErrorBody,
  X_ROAD_ERROR_CODES,
  XRoadFault,
} from '../src/index.js';

describe('X-Road fault types (ErrorCodes.java names, PR-REST §4.6 prefixes)', () => {
  it('uses the exact names the brief and the spec mention', () => {
    for (const code of [
      'InvalidClientIdentifier',
      'AccessDenied',
      'ServiceFailed',
      'UnknownService',
      'OutdatedGlobalConf',
      'BadRequest',
      'NetworkError',
      'DatabaseError',
      'InconsistentResponse',
    ]) {
      expect(X_ROAD_ERROR_CODES).toContain(code);
    }
    expect(isXRoadFaultType('Server.ServerProxy.AccessDenied')).toBe(true);
    expect(isXRoadFaultType('Server.ClientProxy.OutdatedGlobalConf')).toBe(true);
    expect(isXRoadFaultType('Client.InvalidClientIdentifier')).toBe(true);
    expect(isXRoadFaultType('Server.Other.AccessDenied')).toBe(false);
    expect(isXRoadFaultType('Client.NoSuchCode')).toBe(false);
    expect(isXRoadFaultType('AccessDenied')).toBe(false);
  });

  it('gives Client.* faults status 400 and Server.* faults 500', () => {
    expect(new XRoadFault('Client.BadRequest', 'x').status).toBe(400);
    expect(new XRoadFault('Server.ClientProxy.OutdatedGlobalConf', 'x').status).toBe(500);
    expect(new XRoadFault('Server.ServerProxy.ServiceFailed', 'x').status).toBe(500);
    expect(faultStatus('server.serverproxy.access_denied')).toBe(500);
    expect(faultStatus('Signer.TokenNotActive')).toBe(400);
  });

  it('carries its type as code, its cause, and a detail', () => {
    const cause = new Error('db down');
    const fault = new XRoadFault(
      'Server.ServerProxy.DatabaseError',
      'Error accessing database (serverconf)',
      { cause, detail: 'fixed' },
    );
    expect(fault.code).toBe('Server.ServerProxy.DatabaseError');
    expect(fault.type).toBe(fault.code);
    expect(fault.cause).toBe(cause);
    expect(fault.name).toBe('XRoadFault');
    expect(fault.toBody('generated')).toEqual({
      type: 'Server.ServerProxy.DatabaseError',
      message: 'Error accessing database (serverconf)',
      detail: 'fixed',
    });
    expect(new XRoadFault('Client.BadRequest', 'm').toBody('generated').detail).toBe('generated');
  });

  it("names the failing component by prefix, also in X-Road 8's lower-case form", () => {
    expect(errorComponent('Client.BadRequest')).toBe('consumer-information-system');
    expect(errorComponent('Server.ClientProxy.ServiceFailed.InternalError')).toBe('consumer-security-server');
    expect(errorComponent('Server.ServerProxy.OpMonitor.x')).toBe('provider-security-server');
    expect(errorComponent('server.serverproxy.access_denied')).toBe('provider-security-server');
    expect(errorComponent('Client')).toBe('unknown');
    expect(errorComponent('Clientele.x')).toBe('unknown');
    expect(errorComponent('Signer.x')).toBe('unknown');
  });
});

describe('classifying responses (PR-REST §4.6 example 5)', () => {
  it("without X-Road-Error the response is the provider's, whatever its status", () => {
    expect(
      classifyResponse(500, [['Content-Type', 'application/json']], { type: 'Server.ServerProxy.Fake' }),
    ).toMatchObject({
      source: 'provider-information-system',
      category: 1,
      type: null,
    });
    expect(classifyResponse(204, []).category).toBeNull();
  });

  it('with X-Road-Error the prefix tells the component and the category', () => {
    const c = (type: string): unknown => classifyResponse(500, [['x-road-error', type]], { type }).category;
    expect(c('Server.ServerProxy.ServiceFailed')).toBe(2);
    expect(c('Server.ServerProxy.NetworkError')).toBe(2);
    expect(c('Server.ServerProxy.ServiceFailed.IOError')).toBe(2);
    expect(c('Server.ServerProxy.AccessDenied')).toBe(4);
    expect(c('Server.ClientProxy.NetworkError')).toBe(4);
    expect(c('Client.BadRequest')).toBe(3);
  });

  it('falls back to the header when the body is not an X-Road error body', () => {
    expect(
      classifyResponse(500, [['X-Road-Error', 'Server.ClientProxy.OutdatedGlobalConf']], null),
    ).toMatchObject({
      source: 'x-road',
      type: 'Server.ClientProxy.OutdatedGlobalConf',
      component: 'consumer-security-server',
    });
  });
});

describe('error responses (PR-REST §4.6)', () => {
  const body = {
    type: 'Server.ServerProxy.DatabaseError',
    message: 'Error accessing database (serverconf)',
    detail: '3c4d0f08-440f-417f-b935-bc801e103d51',
  };

  it("is JSON by default, with X-Road-Error and a charset, byte-equal to the spec's example 4", () => {
    const res = buildErrorResponse(body);
    expect(res.status).toBe(500);
    expect(res.headers).toEqual([
      ['Content-Type', 'application/json;charset=utf-8'],
      ['X-Road-Error', 'Server.ServerProxy.DatabaseError'],
    ]);
    expect(res.body).toBe(JSON.stringify(body));
    expect(Buffer.byteLength(res.body)).toBe(141); // the Content-Length of §4.6 example 4
  });

  it('is 400 for Client faults (example 3)', () => {
    expect(buildErrorResponse({ type: 'Client.BadRequest', message: 'm', detail: 'd' }).status).toBe(400);
  });

  it('follows Accept: XML when preferred, JSON otherwise', () => {
    const xml = buildErrorResponse({ ...body, message: 'a < b & "c"' }, 'application/xml');
    expect(xml.headers[0]).toEqual(['Content-Type', 'application/xml;charset=utf-8']);
    expect(xml.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<error><type>Server.ServerProxy.DatabaseError</type><message>a &lt; b &amp; &quot;c&quot;</message><detail>3c4d0f08-440f-417f-b935-bc801e103d51</detail></error>',
    );
    expect(buildErrorResponse(body, 'text/*').headers[0]![1]).toBe('text/xml;charset=utf-8');
    expect(buildErrorResponse(body, 'image/png').headers[0]![1]).toBe('application/json;charset=utf-8');
    expect(buildErrorResponse(body, ['application/json;q=0.5', 'text/xml']).headers[0]![1]).toBe(
      'text/xml;charset=utf-8',
    );
    expect(buildErrorResponse(body, 'application/json, application/xml;q=0.1').headers[0]![1]).toBe(
      'application/json;charset=utf-8',
    );
    expect(buildErrorResponse(body, '*/*').headers[0]![1]).toBe('application/json;charset=utf-8');
    expect(buildErrorResponse(body, 'application/xml;q=0, */*;q=0.1').headers[0]![1]).toBe(
      'application/json;charset=utf-8',
    );
  });

  it('never writes characters XML cannot hold', () => {
    const xml = buildErrorResponse(
      { type: 'Client.BadRequest', message: 'bell\u0007 \ud800', detail: '' },
      'text/xml',
    );
    expect(xml.body).toContain('<message>bell\ufffd \ufffd</message>');
  });

  it('reads back its own JSON and XML bodies', () => {
    for (const accept of [undefined, 'application/xml']) {
      const res = buildErrorResponse(body, accept);
      expect(parseErrorBody(res.headers[0]![1], res.body)).toEqual(body);
    }
  });

  it('reads foreign or broken bodies as null, never throwing', () => {
    for (const [type, text] of [
      ['application/json', ''],
      ['application/json', '{"type":'],
      ['application/json', '{"message":"no type"}'],
      ['application/json', '[1,2]'],
      ['application/json', '{"type":42}'],
      ['application/json', `{"type":"${'x'.repeat(2000)}"}`],
      ['application/xml', '<error><message>no type</message></error>'],
      ['application/xml', '<other><type>x</type></other>'],
      ['application/xml', '<error><type>x</type>'],
      ['application/xml', '<!DOCTYPE e [<!ENTITY a "aaaa">]><error><type>&a;</type></error>'],
      ['text/plain', 'x'.repeat(300 * 1024)],
    ] as const) {
      expect(parseErrorBody(type, text)).toBeNull();
    }
    expect(parseErrorBody(null, '{"type":"Client.BadRequest"}')).toEqual({
      type: 'Client.BadRequest',
      message: '',
      detail: '',
    });
  });
});

describe('content negotiation', () => {
  it('uses the first offered type without Accept, and honours q-values and specificity', () => {
    const offered = ['application/json', 'text/xml'] as const;
    expect(negotiateContentType(undefined, offered)).toBe('application/json');
    expect(negotiateContentType('', offered)).toBe('application/json');
    expect(negotiateContentType('text/xml', offered)).toBe('text/xml');
    expect(negotiateContentType('text/*;q=0.9, application/json;q=0.8', offered)).toBe('text/xml');
    expect(negotiateContentType('*/*;q=0.1, text/xml;q=0', offered)).toBe('application/json');
    expect(negotiateContentType('garbage;;;,,,/', offered)).toBe('application/json');
    expect(negotiateContentType('text/xml;q=abc', offered)).toBe('application/json');
    expect(negotiateContentType(`${'a/b,'.repeat(10000)}text/xml`, offered)).toBe('application/json');
  });
});
