import type { IncomingMessage } from 'node:http';
import { HttpProblem } from './problem.js';

/**
 * Read a whole request body, refusing more than `limit` bytes: early from Content-Length,
 * otherwise as soon as the stream passes the limit (the connection is then closed, so a
 * client cannot keep pushing bytes).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new HttpProblem(413, 'BODY_TOO_LARGE', `request body exceeds ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(
          new HttpProblem(413, 'BODY_TOO_LARGE', `request body exceeds ${limit} bytes`, {
            headers: { connection: 'close' },
          }),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', (err) =>
      reject(new HttpProblem(400, 'BODY_READ_FAILED', 'request body could not be read', { cause: err })),
    );
  });
}

/** Parse a JSON body with a schema-like `parse` (zod's `schema.parse`), as a 400 on failure. */
export async function readJson<T>(
  req: IncomingMessage,
  limit: number,
  parse: (value: unknown) => T,
): Promise<T> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'expected an application/json body');
  }
  const raw = await readBody(req, limit);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpProblem(400, 'MALFORMED_JSON', 'request body is not valid JSON', { cause: err });
  }
  try {
    return parse(value);
  } catch (err) {
    const issues = (err as { issues?: Array<{ path: unknown[]; message: string }> }).issues;
    const detail = issues?.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new HttpProblem(400, 'INVALID_REQUEST', detail ?? 'request body is invalid', { cause: err });
  }
}
