import { createHash } from 'node:crypto';
import { toBase64 } from '@riik/core';
import type { Certificate } from '@riik/pki';
import { webEidSignedData } from './signed-data.js';
import type { WebEidAuthToken } from './token.js';

export interface CreateAuthTokenOptions {
  /** The origin of the page that asked, as the browser reported it (never the page's own claim). */
  origin: string;
  challengeNonce: string;
  certificate: Certificate;
  /** The card's PSO: sign a SHA-384 digest with the authentication key, raw r||s. */
  signDigest(digest: Uint8Array): Uint8Array | Promise<Uint8Array>;
  appVersion?: string;
}

/**
 * Make a Web eID authentication token as the Web eID native app does for a P-384 card: ES384
 * over `SHA-384(origin) || SHA-384(nonce)`. The card signs the SHA-384 digest of that.
 */
export async function createAuthToken(options: CreateAuthTokenOptions): Promise<WebEidAuthToken> {
  const data = webEidSignedData('ES384', options.origin, options.challengeNonce);
  const digest = new Uint8Array(createHash('sha384').update(data).digest());
  const signature = await options.signDigest(digest);
  return {
    unverifiedCertificate: toBase64(options.certificate.der),
    algorithm: 'ES384',
    signature: toBase64(signature),
    format: 'web-eid:1.0',
    appVersion: options.appVersion ?? 'https://riik.invalid/card-reader/1.0.0',
  };
}
