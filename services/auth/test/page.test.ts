import { describe, expect, it } from 'vitest';
import { FakeClock } from '@riik/testing';
import { pickLang, RateLimiter, refusalMessage } from '../src/index.js';
import { renderLoginPage } from '../src/login/page.js';

const model = {
  lang: 'et' as const,
  uid: 'abc',
  csrf: 'token',
  clientName: '<script>alert(1)</script>',
  methods: ['idcard', 'smartid', 'mid'] as const,
  cardReaderUrl: 'http://127.0.0.1:8709',
};

describe('login page', () => {
  it('escapes everything it did not write itself', () => {
    const html = renderLoginPage({ ...model, methods: [...model.methods], idCode: '"><img src=x>' });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('"><img');
  });
  it('labels every field and offers only the methods asked for', () => {
    const html = renderLoginPage({ ...model, methods: ['smartid'] });
    for (const id of html.matchAll(/<input id="([^"]+)"/g)) expect(html).toContain(`<label for="${id[1]}">`);
    expect(html).not.toContain('id="idcard-login"');
    expect(html).not.toContain('id="mid-form"');
  });
  it('speaks Estonian and English, with every refusal in both', () => {
    expect(renderLoginPage({ ...model, methods: ['idcard'] })).toContain('<html lang="et">');
    expect(renderLoginPage({ ...model, lang: 'en', methods: ['idcard'] })).toContain('Log in with ID-card');
    expect(pickLang('fr', 'en-GB,et;q=0.5')).toBe('en');
    expect(pickLang(undefined)).toBe('et');
    expect(refusalMessage('en', 'PIN_INCORRECT', 2)).toBe('Wrong PIN1. Tries left: 2.');
    expect(refusalMessage('et', 'CERT_REVOKED')).toContain('tühistatud');
    expect(refusalMessage('en', 'NO_SUCH_CODE')).toContain('not available');
  });
});

describe('rate limiter', () => {
  it('counts per key per window', () => {
    const clock = new FakeClock('2026-03-01T10:00:00Z');
    const limiter = new RateLimiter(2, 60_000, clock.now);
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a'), limiter.hit('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(limiter.retryAfterSeconds()).toBe(60);
    clock.advance(60_000);
    expect(limiter.hit('a')).toBe(true);
  });
});
