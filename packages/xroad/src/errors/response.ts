import { z } from 'zod';
import { negotiateContentType } from '../rest/accept.js';
import { XRoadHeader, type HeaderList } from '../rest/headers.js';
import { childElements, escapeXmlText, parseXml } from '../xml.js';
import { faultStatus } from './classify.js';
import type { XRoadErrorBody } from './fault.js';

/** The media types a Security Server writes X-Road error bodies in; JSON is the default (PR-REST §4.6). */
export type ErrorContentType = 'application/json' | 'application/xml' | 'text/xml';

const ERROR_CONTENT_TYPES: readonly [ErrorContentType, ...ErrorContentType[]] = [
  'application/json',
  'application/xml',
  'text/xml',
];

/** The error response a Security Server sends: body already serialised, small enough to buffer. */
export interface XRoadErrorResponse {
  readonly status: number;
  readonly headers: HeaderList;
  readonly body: string;
}

/**
 * Builds the error response of PR-REST §4.6: status 500 for `Server.*` and 400 for `Client.*` types,
 * `X-Road-Error: <type>`, a Content-Type with charset (the spec says MUST), and the body
 * `{type, message, detail}` in JSON — or `<error><type/><message/><detail/></error>` when the Accept
 * header prefers XML, as the reference client proxy does.
 */
export function buildErrorResponse(
  error: XRoadErrorBody,
  accept?: string | ReadonlyArray<string> | null,
): XRoadErrorResponse {
  const contentType = negotiateContentType(accept, ERROR_CONTENT_TYPES);
  const body =
    contentType === 'application/json'
      ? JSON.stringify({ type: error.type, message: error.message, detail: error.detail })
      : '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<error><type>${escapeXmlText(error.type)}</type><message>${escapeXmlText(error.message)}</message>` +
        `<detail>${escapeXmlText(error.detail)}</detail></error>`;
  return {
    status: faultStatus(error.type),
    headers: [
      ['Content-Type', `${contentType};charset=utf-8`],
      [XRoadHeader.Error, error.type],
    ],
    body,
  };
}

const ErrorBodyJson = z.object({
  type: z.string().min(1).max(1024),
  message: z.string().max(65536).nullish(),
  detail: z.string().max(65536).nullish(),
});

/** The most of an error body riik reads; X-Road error bodies are a few hundred bytes. */
export const MAX_ERROR_BODY_LENGTH = 256 * 1024;

/**
 * Reads an X-Road error body (JSON, or the XML form) given its Content-Type. Returns null when the body
 * is not an X-Road error body: classification then falls back to the X-Road-Error header.
 */
export function parseErrorBody(contentType: string | null | undefined, body: string): XRoadErrorBody | null {
  if (body.length > MAX_ERROR_BODY_LENGTH) return null;
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/xml' || mediaType === 'text/xml' || body.trimStart().startsWith('<')) {
    return parseXmlErrorBody(body);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const parsed = ErrorBodyJson.safeParse(json);
  if (!parsed.success) return null;
  return { type: parsed.data.type, message: parsed.data.message ?? '', detail: parsed.data.detail ?? '' };
}

function parseXmlErrorBody(body: string): XRoadErrorBody | null {
  const root = parseXml(body)?.documentElement;
  if (!root || root.localName !== 'error') return null;
  const text = (name: string): string | null => {
    const el = childElements(root).find((e) => e.localName === name);
    return el ? (el.textContent ?? '') : null;
  };
  const type = text('type');
  if (!type) return null;
  return { type, message: text('message') ?? '', detail: text('detail') ?? '' };
}
