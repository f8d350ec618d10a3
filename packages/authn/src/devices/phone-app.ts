import { createHash } from 'node:crypto';
import { fromBase64, toBase64 } from '@riik/core';
import { EidError, type EidToken } from '@riik/eid';
import {
  deviceRegistered,
  deviceRequests,
  registrationMessage,
  type DeviceAnswer,
  type DeviceKind,
  type DeviceRequest,
} from '../sk/api.js';
import { AuthnError } from '../errors.js';
import { mobileIdVerificationCode, smartIdVerificationCode } from '../verification-code.js';

/** What the app shows the holder before asking for PIN1. */
export interface PhonePrompt {
  kind: DeviceKind;
  relyingPartyName: string;
  displayText?: string;
  /** Computed by the app from the hash it is about to sign: must equal the one on the login page. */
  verificationCode: string;
  /** Set after a wrong PIN. */
  triesLeft?: number;
}

export interface PhoneAppOptions {
  kind: DeviceKind;
  /** The app's key store: an eID token holding the Smart-ID / Mobile-ID key and certificate. */
  token: EidToken;
  /** Base URL of the SK service's API (…/sk). */
  skUrl: string;
  /** Mobile-ID only: the SIM's phone number. */
  phoneNumber?: string;
  /** Ask the holder: the PIN1, or null to refuse. */
  askPin(prompt: PhonePrompt): Promise<string | null>;
  /** Progress for a UI: registered, request, answered, error. */
  onEvent?: (event: PhoneAppEvent) => void;
}

export type PhoneAppEvent =
  | { type: 'registered'; deviceId: string }
  | { type: 'request'; request: DeviceRequest; verificationCode: string }
  | { type: 'answered'; sessionId: string; answer: 'signed' | 'refused' | 'pin-blocked' }
  | { type: 'error'; message: string };

/**
 * The simulated Smart-ID app / Mobile-ID SIM: registers its certificate with the SK service
 * (proving it holds the key), then waits for authentication requests, shows the verification
 * code it computes itself, asks PIN1 and signs the hash. The key never leaves the app.
 */
export class PhoneApp {
  private deviceId?: string;
  private secret?: string;
  private readonly controller = new AbortController();
  private loop?: Promise<void>;

  constructor(private readonly options: PhoneAppOptions) {}

  /** Register (PIN1 unlocks the key once, for the proof of possession) and start answering. */
  async start(activationPin: string): Promise<string> {
    const { token, kind } = this.options;
    const certificate = toBase64(token.certificate('auth').der);
    const body = {
      kind,
      certificate,
      ...(this.options.phoneNumber ? { phoneNumber: this.options.phoneNumber } : {}),
      time: new Date().toISOString(),
    };
    const digest = createHash('sha384').update(registrationMessage(body), 'utf8').digest();
    const key = await token.unlock('auth', activationPin);
    const signature = toBase64(key.signDigest(new Uint8Array(digest), 'raw'));
    const response = await fetch(`${this.options.skUrl}/device/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, signature }),
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { detail?: string };
      throw new AuthnError('BAD_ARGUMENT', `registration refused: ${problem.detail ?? response.status}`);
    }
    const registered = deviceRegistered.parse(await response.json());
    this.deviceId = registered.deviceId;
    this.secret = registered.deviceSecret;
    this.options.onEvent?.({ type: 'registered', deviceId: registered.deviceId });
    this.loop = this.run();
    return registered.deviceId;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        const response = await fetch(
          `${this.options.skUrl}/device/${this.deviceId}/requests?timeoutMs=25000`,
          {
            headers: { authorization: `Bearer ${this.secret}` },
            signal,
          },
        );
        if (!response.ok) throw new Error(`SK answered HTTP ${response.status}`);
        const { requests } = deviceRequests.parse(await response.json());
        for (const request of requests) await this.handle(request);
      } catch (err) {
        if (signal.aborted) return;
        this.options.onEvent?.({ type: 'error', message: (err as Error).message });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async handle(request: DeviceRequest): Promise<void> {
    const hash = fromBase64(request.hash);
    const verificationCode =
      this.options.kind === 'smart-id' ? smartIdVerificationCode(hash) : mobileIdVerificationCode(hash);
    this.options.onEvent?.({ type: 'request', request, verificationCode });
    let answer: DeviceAnswer | undefined;
    let triesLeft: number | undefined;
    while (!answer) {
      // The prompt goes away when the request expires or the app stops, answered or not.
      const expired = Symbol('expired');
      let timer: NodeJS.Timeout | undefined;
      const pin = await Promise.race([
        this.options.askPin({
          kind: this.options.kind,
          relyingPartyName: request.relyingPartyName,
          ...(request.displayText ? { displayText: request.displayText } : {}),
          verificationCode,
          ...(triesLeft !== undefined ? { triesLeft } : {}),
        }),
        new Promise<typeof expired>((resolve) => {
          timer = setTimeout(() => resolve(expired), Math.max(0, Date.parse(request.expiresAt) - Date.now()));
          this.controller.signal.addEventListener('abort', () => resolve(expired), { once: true });
        }),
      ]);
      clearTimeout(timer);
      if (pin === expired) return;
      if (pin === null) {
        answer = { refused: true };
        break;
      }
      try {
        const key = await this.options.token.unlock('auth', pin);
        answer = { signature: toBase64(key.signDigest(hash, 'raw')) };
      } catch (err) {
        if (err instanceof EidError && err.code === 'PIN_BLOCKED') answer = { error: 'PIN_BLOCKED' };
        else if (err instanceof EidError && (err.code === 'PIN_INCORRECT' || err.code === 'PIN_FORMAT'))
          triesLeft = err.triesLeft ?? this.options.token.triesLeft().pin1;
        else throw err;
      }
    }
    const response = await fetch(
      `${this.options.skUrl}/device/${this.deviceId}/requests/${request.sessionId}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${this.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(answer),
        signal: AbortSignal.timeout(15_000),
      },
    );
    await response.body?.cancel();
    this.options.onEvent?.({
      type: 'answered',
      sessionId: request.sessionId,
      answer: 'signature' in answer ? 'signed' : 'refused' in answer ? 'refused' : 'pin-blocked',
    });
  }
}
