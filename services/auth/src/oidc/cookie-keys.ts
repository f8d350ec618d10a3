import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The keys that sign the provider's cookies, as Koa's `app.keys` takes them (the KeyGrip
 * interface: sign, verify, index). Signatures are keygrip's defaults, so cookies stay valid:
 * HMAC-SHA1 of `name=value`, base64url without padding, newest key first. Written here because
 * keygrip compares signatures through tsscmp, which draws a random key and computes two more
 * HMACs for each comparison; a login checks about a dozen cookie signatures. A plain
 * constant-time comparison of equal-length strings is as safe.
 */
export class CookieKeys {
  constructor(private readonly keys: readonly string[]) {
    if (keys.length === 0) throw new TypeError('at least one cookie key is needed');
  }

  sign(data: string): string {
    return signWith(this.keys[0]!, data);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** Which key made `digest` for `data` (-1: none of them). */
  index(data: string, digest: string): number {
    const given = Buffer.from(String(digest));
    for (let i = 0; i < this.keys.length; i++) {
      const expected = Buffer.from(signWith(this.keys[i]!, data));
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  }
}

function signWith(key: string, data: string): string {
  return createHmac('sha1', key).update(data).digest('base64url');
}
