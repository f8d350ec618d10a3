import { PkiError } from '../errors.js';

export type OcspFetch = (url: string, requestDer: Uint8Array) => Promise<Uint8Array>;

const MAX_RESPONSE = 256 * 1024;

/** POST an OCSP request (RFC 6960 Appendix A.1) with a timeout and a response-size limit. */
export function httpOcspFetch(timeoutMs = 5_000): OcspFetch {
  return async (url, requestDer) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
        body: requestDer,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new PkiError('OCSP_TRANSPORT', `OCSP responder ${url} unreachable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!response.ok)
      throw new PkiError('OCSP_TRANSPORT', `OCSP responder ${url} answered HTTP ${response.status}`);
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.length > MAX_RESPONSE) throw new PkiError('OCSP_TRANSPORT', 'OCSP response too large');
    return body;
  };
}
