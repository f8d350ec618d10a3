import { describe, expect, it } from 'vitest';
import { checkTokenFormat, decodeBase64Strict, parseAuthToken } from '../src/index.js';

const base = {
  unverifiedCertificate: 'AAAA',
  algorithm: 'ES384',
  signature: 'AAAA',
  appVersion: 'x'.repeat(80),
};

describe('Web eID token format', () => {
  it.each(['web-eid:1', 'web-eid:1.0', 'web-eid:1.1'])('accepts %s', (format) => {
    expect(checkTokenFormat(parseAuthToken(JSON.stringify({ ...base, format }))).format).toBe(format);
  });
  it.each(['web-eid:2', 'web-eid:11', 'web-eid:1.0 ', 'WEB-EID:1', 'web-eid:1.x'])('refuses %j', (format) => {
    expect(() => checkTokenFormat(parseAuthToken(JSON.stringify({ ...base, format })))).toThrow(
      expect.objectContaining({ code: 'TOKEN_FORMAT' }),
    );
  });
  it('decodes strict base64 only', () => {
    expect(decodeBase64Strict('AAAA')).toEqual(new Uint8Array(3));
    expect(decodeBase64Strict('AAA')).toEqual(new Uint8Array(2));
    for (const bad of ['A', 'AA A', 'AA-_', 'AAAA=', 'AA=A']) expect(decodeBase64Strict(bad)).toBeUndefined();
  });
});
