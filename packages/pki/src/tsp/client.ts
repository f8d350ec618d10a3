import { bytesEqual } from '@riik/core/encoding';
import { PkiError } from '../errors.js';
import { buildTimeStampReq, type BuildTimeStampReqOptions } from './request.js';
import { parseTimeStampResp } from './response.js';
import { MAX_TIMESTAMP_TOKEN, type ParsedTimeStampToken } from './token.js';

export interface RequestTimeStampOptions extends BuildTimeStampReqOptions {
  timeoutMs?: number;
}

/**
 * Ask a TSA for a token over HTTP (RFC 3161 §3.4: POST application/timestamp-query). Checks
 * what a requester must check of the answer (§2.4.2): granted, the imprint and nonce are the
 * request's; verify the signature and the TSA with verifyTimeStampToken.
 * Errors: TSP_TRANSPORT (unreachable, HTTP error, too large), TSP_REJECTED (the TSA said no;
 * the message carries its failure info), TSP_MISMATCH (a token for something else),
 * MALFORMED_DER.
 */
export async function requestTimeStamp(
  url: string,
  options: RequestTimeStampOptions,
): Promise<{ response: Uint8Array; token: Uint8Array; parsed: ParsedTimeStampToken; nonce?: Uint8Array }> {
  const request = buildTimeStampReq(options);
  let body: Uint8Array;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: request.der,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    body = new Uint8Array(await response.arrayBuffer());
    if (!response.ok) throw new PkiError('TSP_TRANSPORT', `TSA ${url} answered HTTP ${response.status}`);
  } catch (err) {
    if (err instanceof PkiError) throw err;
    throw new PkiError('TSP_TRANSPORT', `TSA ${url} unreachable: ${(err as Error).message}`, { cause: err });
  }
  if (body.length > MAX_TIMESTAMP_TOKEN) throw new PkiError('TSP_TRANSPORT', 'time-stamp response too large');
  const resp = parseTimeStampResp(body);
  if (!resp.token || !resp.tokenDer) {
    const why = [...resp.failInfo, ...resp.statusStrings].join('; ');
    throw new PkiError('TSP_REJECTED', `TSA refused: ${resp.status}${why ? ` (${why})` : ''}`);
  }
  const info = resp.token.tstInfo;
  if (!bytesEqual(info.messageImprint.hashedMessage, options.hashedMessage))
    throw new PkiError('TSP_MISMATCH', 'the token is over a different imprint');
  if (request.nonce && (!info.nonce || !bytesEqual(info.nonce, request.nonce)))
    throw new PkiError('TSP_MISMATCH', 'the token does not echo the request nonce');
  return {
    response: body,
    token: resp.tokenDer,
    parsed: resp.token,
    ...(request.nonce ? { nonce: request.nonce } : {}),
  };
}
