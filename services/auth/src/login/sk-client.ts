import { toBase64 } from '@riik/core';
import {
  mobileIdSessionStatus,
  sessionStarted,
  smartIdSessionStatus,
  type HashType,
  type MobileIdSessionStatus,
  type SmartIdSessionStatus,
} from '@riik/authn';
import type { z } from 'zod';
import { AuthServiceError } from '../errors.js';

export interface RelyingPartyCredentials {
  relyingPartyUUID: string;
  relyingPartyName: string;
}

/** Thrown when SK says there is no such Smart-ID account (HTTP 404 on session start). */
export class NoAccountError extends Error {}

/**
 * The login service as a relying party of the SK service, like TARA calls SK's Smart-ID and
 * Mobile-ID APIs: start a session, then long-poll its status.
 */
export class SkClient {
  constructor(
    private readonly baseUrl: string,
    private readonly rp: RelyingPartyCredentials,
  ) {}

  private async call<T>(path: string, schema: z.ZodType<T>, body?: unknown, timeoutMs = 10_000): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new AuthServiceError('SK_UNAVAILABLE', `SK service unreachable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (response.status === 404 && body !== undefined) {
      await response.body?.cancel();
      throw new NoAccountError('no account');
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new AuthServiceError(
        'SK_UNAVAILABLE',
        `SK service answered HTTP ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      throw new AuthServiceError('SK_PROTOCOL', `unexpected SK answer: ${parsed.error.message}`);
    return parsed.data;
  }

  async startSmartId(
    idCode: string,
    hash: Uint8Array,
    hashType: HashType,
    displayText: string,
  ): Promise<string> {
    const started = await this.call(`/smart-id/v2/authentication/etsi/PNOEE-${idCode}`, sessionStarted, {
      ...this.rp,
      certificateLevel: 'QUALIFIED',
      hash: toBase64(hash),
      hashType,
      allowedInteractionsOrder: [{ type: 'displayTextAndPIN', displayText60: displayText.slice(0, 60) }],
    });
    return started.sessionID;
  }

  smartIdStatus(sessionId: string, waitMs: number): Promise<SmartIdSessionStatus> {
    return this.call(
      `/smart-id/v2/session/${encodeURIComponent(sessionId)}?timeoutMs=${waitMs}`,
      smartIdSessionStatus,
      undefined,
      waitMs + 10_000,
    );
  }

  async startMobileId(
    idCode: string,
    phoneNumber: string,
    hash: Uint8Array,
    hashType: HashType,
    displayText: string,
    language: 'EST' | 'ENG',
  ): Promise<string> {
    const started = await this.call('/mid-api/authentication', sessionStarted, {
      ...this.rp,
      phoneNumber,
      nationalIdentityNumber: idCode,
      hash: toBase64(hash),
      hashType,
      language,
      displayText,
    });
    return started.sessionID;
  }

  mobileIdStatus(sessionId: string, waitMs: number): Promise<MobileIdSessionStatus> {
    return this.call(
      `/mid-api/authentication/session/${encodeURIComponent(sessionId)}?timeoutMs=${waitMs}`,
      mobileIdSessionStatus,
      undefined,
      waitMs + 10_000,
    );
  }
}
