import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpProblem } from './problem.js';

/**
 * Check `Authorization: Bearer <token>` against the expected token in constant time
 * (both sides hashed first, so the comparison does not leak the length either).
 */
export function requireBearer(req: IncomingMessage, expected: string): void {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer ([\x21-\x7e]+)$/.exec(header);
  const digest = (s: string) => createHash('sha256').update(s).digest();
  if (!m || !timingSafeEqual(digest(m[1]!), digest(expected))) {
    throw new HttpProblem(401, 'UNAUTHORIZED', 'a valid operator bearer token is required', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
}
