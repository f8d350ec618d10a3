import { describe, expect, it } from 'vitest';
import { CookieKeys } from '../src/oidc/cookie-keys.js';

// RFC 2202 §3, test case 2: HMAC-SHA1 with key "Jefe"
const RFC2202_DATA = 'what do ya want for nothing?';
const RFC2202_MAC = Buffer.from('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79', 'hex').toString('base64url');

describe('cookie signing keys', () => {
  it('signs as keygrip does: HMAC-SHA1, base64url without padding, with the newest key', () => {
    expect(new CookieKeys(['Jefe', 'older']).sign(RFC2202_DATA)).toBe(RFC2202_MAC);
    expect(RFC2202_MAC).not.toMatch(/[+/=]/);
  });

  it('finds the key that made a signature, so rotated keys still verify', () => {
    const keys = new CookieKeys(['a-newer-key-of-at-least-32-characters', 'Jefe']);
    expect(keys.index(RFC2202_DATA, RFC2202_MAC)).toBe(1);
    expect(keys.verify(RFC2202_DATA, RFC2202_MAC)).toBe(true);
    expect(keys.index(RFC2202_DATA, keys.sign(RFC2202_DATA))).toBe(0);
  });

  it('refuses other data, tampered, truncated, padded and empty signatures', () => {
    const keys = new CookieKeys(['Jefe']);
    expect(keys.index(`${RFC2202_DATA}!`, RFC2202_MAC)).toBe(-1);
    const flipped = (RFC2202_MAC[0] === 'A' ? 'B' : 'A') + RFC2202_MAC.slice(1);
    for (const digest of [flipped, RFC2202_MAC.slice(0, -1), `${RFC2202_MAC}=`, '', 'x'.repeat(1000)]) {
      expect(keys.verify(RFC2202_DATA, digest)).toBe(false);
    }
    expect(keys.verify(RFC2202_DATA, undefined as unknown as string)).toBe(false);
  });

  it('needs a key', () => {
    expect(() => new CookieKeys([])).toThrow(TypeError);
  });
});
