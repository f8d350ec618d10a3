import type { ServerResponse } from 'node:http';

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  contentType: string,
  bytes: Uint8Array,
  headers: Record<string, string | number> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': bytes.byteLength });
  res.end(bytes);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
