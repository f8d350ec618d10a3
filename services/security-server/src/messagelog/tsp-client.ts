import { createHash } from 'node:crypto';
import { CodedError } from '@riik/core';
import { PkiError, requestTimeStamp as tspRequest, verifyTimeStampToken, type Certificate } from '@riik/pki';

/*
 * RFC 3161 time-stamps for the message log, through @riik/pki's TSP codec: ask a TSA for a token over
 * a SHA-512 imprint, and accept it only when the token verifies (imprint, nonce, signed attributes,
 * ESS signing certificate, signature) and its signer is a time-stamping unit certified by an approved
 * CA — and, when the global configuration lists approved TSAs, one of them.
 */

export type TspFault = 'TSA_UNAVAILABLE' | 'TSA_REFUSED' | 'BAD_RESPONSE' | 'UNTRUSTED_TSA';
export class TspError extends CodedError<TspFault> {}

export interface TsaTrust {
  /** Top CA certificates (trust anchors) and intermediates the TSA certificate must chain to. */
  readonly anchors: readonly Certificate[];
  readonly intermediates: readonly Certificate[];
  /** The approved TSA certificates; when non-empty, the signer must be one of them. */
  readonly approved?: readonly Certificate[];
}

export interface TimeStamp {
  /** DER of the TimeStampToken (a CMS ContentInfo). */
  readonly token: Uint8Array;
  readonly genTime: Date;
  readonly tsaCertificate: Certificate;
}

export function sha512(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha512').update(data).digest());
}

/** Verify a token over `imprint` (a SHA-512 digest). */
export async function verifyToken(
  token: Uint8Array,
  imprint: Uint8Array,
  trust: TsaTrust,
  nonce?: Uint8Array,
): Promise<TimeStamp> {
  const v = await verifyTimeStampToken(token, {
    hashedMessage: imprint,
    anchors: trust.anchors,
    intermediates: trust.intermediates,
    ...(nonce ? { nonce } : {}),
  });
  if (!v.valid || !v.signer || !v.tstInfo) {
    const untrusted = [
      'UNTRUSTED',
      'CHAIN_INVALID',
      'EXPIRED',
      'NOT_YET_VALID',
      'WRONG_EXTENDED_KEY_USAGE',
      'WRONG_KEY_USAGE',
    ];
    throw new TspError(
      untrusted.includes(v.code) ? 'UNTRUSTED_TSA' : 'BAD_RESPONSE',
      `${v.code}: ${v.message}`,
    );
  }
  if (trust.approved && trust.approved.length > 0 && !trust.approved.some((c) => c.equals(v.signer!)))
    throw new TspError('UNTRUSTED_TSA', `${v.signer.subjectString} is not an approved TSA`);
  return { token, genTime: v.tstInfo.genTime, tsaCertificate: v.signer };
}

/** Ask `url` for a time-stamp over `imprint` (a SHA-512 digest) and verify the answer. */
export async function requestTimeStamp(
  url: string,
  imprint: Uint8Array,
  trust: TsaTrust,
): Promise<TimeStamp> {
  let got: Awaited<ReturnType<typeof tspRequest>>;
  try {
    got = await tspRequest(url, {
      hash: 'SHA-512',
      hashedMessage: imprint,
      nonce: true,
      certReq: true,
      timeoutMs: 10_000,
    });
  } catch (err) {
    if (!(err instanceof PkiError)) throw err;
    const code: TspFault =
      err.code === 'TSP_TRANSPORT'
        ? 'TSA_UNAVAILABLE'
        : err.code === 'TSP_REJECTED'
          ? 'TSA_REFUSED'
          : 'BAD_RESPONSE';
    throw new TspError(code, err.message, { cause: err });
  }
  return verifyToken(got.token, imprint, trust, got.nonce);
}
