import { AuthnError } from '../errors.js';

/**
 * The Web eID authentication token (web-eid-system-architecture-doc, "Authentication token
 * format"): the card's authentication certificate and its signature over
 * `hash(origin) || hash(challenge nonce)`, as made by the Web eID browser extension and native app.
 */
export interface WebEidAuthToken {
  /** Base64 DER of the authentication certificate; "unverified" until the validator says so. */
  unverifiedCertificate: string;
  /** JWS algorithm name: ES256/384/512, PS256/384/512, RS256/384/512. */
  algorithm: string;
  /** Base64 signature (raw r||s for ECDSA). */
  signature: string;
  /** `web-eid:1`, `web-eid:1.0` or `web-eid:1.1`. */
  format: string;
  /** The app that made the token (URL with version), informational. */
  appVersion?: string;
}

/** Length limits of the serialized token, as the reference validators enforce them. */
export const TOKEN_MIN_LENGTH = 100;
export const TOKEN_MAX_LENGTH = 10_000;

/** `web-eid:1` with an optional minor version; 1.1 adds signing fields that login ignores. */
const FORMAT = /^web-eid:1(?:\.\d{1,3})?$/;

const STRING_FIELDS = ['unverifiedCertificate', 'algorithm', 'signature', 'format', 'appVersion'] as const;

/**
 * Parse the token text as it arrives from the browser: length limits, JSON, field types.
 * Throws AuthnError TOKEN_PARSE. Unknown fields are ignored (older apps send `issuerApp`).
 */
export function parseAuthToken(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text.length < TOKEN_MIN_LENGTH) {
    throw new AuthnError('TOKEN_PARSE', 'the authentication token is missing or too short');
  }
  if (text.length > TOKEN_MAX_LENGTH)
    throw new AuthnError('TOKEN_PARSE', 'the authentication token is too long');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AuthnError('TOKEN_PARSE', 'the authentication token is not JSON', { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthnError('TOKEN_PARSE', 'the authentication token is not a JSON object');
  }
  const record = value as Record<string, unknown>;
  for (const field of STRING_FIELDS) {
    const v = record[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new AuthnError('TOKEN_PARSE', `'${field}' must be a string`);
    }
  }
  return record;
}

/** The format step: a supported format version and a certificate to validate. Throws TOKEN_FORMAT. */
export function checkTokenFormat(record: Record<string, unknown>): WebEidAuthToken {
  const format = record.format;
  if (typeof format !== 'string' || !FORMAT.test(format)) {
    throw new AuthnError('TOKEN_FORMAT', "only token format 'web-eid:1' is supported");
  }
  const cert = record.unverifiedCertificate;
  if (typeof cert !== 'string' || cert === '') {
    throw new AuthnError('TOKEN_FORMAT', "'unverifiedCertificate' is missing or empty");
  }
  const signature = typeof record.signature === 'string' ? record.signature : '';
  const algorithm = typeof record.algorithm === 'string' ? record.algorithm : '';
  return {
    unverifiedCertificate: cert,
    algorithm,
    signature,
    format,
    ...(typeof record.appVersion === 'string' ? { appVersion: record.appVersion } : {}),
  };
}

/**
 * Strict standard base64 with optional padding (the token's fields). Whitespace, URL-safe
 * characters and impossible lengths are refused rather than skipped.
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  const m = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(text);
  if (!m) return undefined;
  const body = m[1]!;
  if (body.length % 4 === 1) return undefined;
  if (m[2] && (body.length + m[2].length) % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(body, 'base64'));
}
