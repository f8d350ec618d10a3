import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import { fromBase64, toBase64 } from '@riik/core';
import {
  HASH_TYPES,
  personOfCertificate,
  registrationMessage,
  SIGNATURE_ALGORITHM,
  verifyDigestSignature,
  type DeviceAnswer,
  type DeviceKind,
  type DeviceRegistration,
  type DeviceRequest,
  type HashType,
  type MobileIdResult,
  type SmartIdEndResult,
} from '@riik/authn';
import { HttpProblem } from '@riik/http';
import { asBytes } from '@riik/storage';
import { buildChain, Certificate, checkPurpose, DOCUMENT_POLICY, PkiError } from '@riik/pki';
import type { AuthDatabase, SkSessionsTable } from '../db/schema.js';

export interface RelyingParty {
  uuid: string;
  name: string;
}

export interface SkServiceOptions {
  db: Kysely<AuthDatabase>;
  relyingParties: RelyingParty[];
  trustedCas: readonly Certificate[];
  now?: () => Date;
  /** How long the person has to answer on the phone (default 2 min, as SK's sessions). */
  sessionTimeoutMs?: number;
}

/** Session state as both RP APIs report it. */
export interface SkSessionView {
  id: string;
  kind: DeviceKind;
  state: 'RUNNING' | 'COMPLETE';
  result?: string;
  signature?: { value: string; algorithm: string };
  cert?: string;
}

const REGISTRATION_SKEW_MS = 5 * 60_000;

/**
 * riik's stand-in for SK ID Solutions: keeps the registry of Smart-ID accounts and Mobile-ID
 * SIMs (certificate, phone number), runs relying parties' authentication sessions and relays
 * them to the person's phone app. It holds no keys: the phone signs, SK checks and passes on the
 * signature and certificate, and the relying party verifies both itself.
 */
export class SkService {
  private readonly events = new EventEmitter();
  private readonly now: () => Date;
  private readonly timeoutMs: number;

  constructor(private readonly options: SkServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.sessionTimeoutMs ?? 120_000;
    this.events.setMaxListeners(0);
  }

  checkRelyingParty(uuid: string, name: string): void {
    if (!this.options.relyingParties.some((rp) => rp.uuid === uuid && rp.name === name)) {
      throw new HttpProblem(401, 'RELYING_PARTY_UNKNOWN', 'relying party UUID and name are not registered');
    }
  }

  // ---- devices -------------------------------------------------------------------------

  async registerDevice(r: DeviceRegistration): Promise<{ deviceId: string; deviceSecret: string }> {
    const refuse = (why: string) => new HttpProblem(400, 'REGISTRATION_REFUSED', why);
    const time = Date.parse(r.time);
    if (Math.abs(time - this.now().getTime()) > REGISTRATION_SKEW_MS)
      throw refuse('registration time is not current');
    let cert: Certificate;
    try {
      cert = Certificate.fromDer(fromBase64(r.certificate));
    } catch (err) {
      if (err instanceof PkiError || err instanceof TypeError)
        throw refuse('the certificate cannot be decoded');
      throw err;
    }
    if (checkPurpose(cert, 'auth')) throw refuse('not an authentication certificate');
    if (!cert.policies.includes(DOCUMENT_POLICY[r.kind].auth)) throw refuse(`not a ${r.kind} certificate`);
    const chain = buildChain(cert, this.options.trustedCas, [], this.now());
    if (!chain.valid) throw refuse(`certificate not acceptable: ${chain.message}`);
    const person = personOfCertificate(cert);
    if (!person) throw refuse('the certificate names no person');
    if (r.kind === 'mobile-id' && !r.phoneNumber) throw refuse('a Mobile-ID SIM has a phone number');
    const digest = createHash('sha384').update(registrationMessage(r), 'utf8').digest();
    if (!verifyDigestSignature(cert, new Uint8Array(digest), fromBase64(r.signature))) {
      throw refuse('the proof of possession does not verify');
    }
    const deviceId = randomUUID();
    const deviceSecret = randomBytes(32).toString('base64url');
    await this.options.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('sk_devices')
        .where('kind', '=', r.kind)
        .where('id_code', '=', person.idCode)
        .execute();
      await tx
        .insertInto('sk_devices')
        .values({
          id: deviceId,
          kind: r.kind,
          id_code: person.idCode,
          phone_number: r.phoneNumber ?? null,
          certificate: cert.der,
          secret_hash: secretHash(deviceSecret),
          created_at: this.now().getTime(),
        })
        .execute();
    });
    return { deviceId, deviceSecret };
  }

  private async device(deviceId: string, secret: string | undefined) {
    const row = await this.options.db
      .selectFrom('sk_devices')
      .selectAll()
      .where('id', '=', deviceId)
      .executeTakeFirst();
    const given = Buffer.from(secretHash(secret ?? ''), 'hex');
    const expected = Buffer.from(row?.secret_hash ?? secretHash(randomUUID()), 'hex');
    if (!row || !timingSafeEqual(given, expected)) {
      throw new HttpProblem(401, 'DEVICE_UNKNOWN', 'unknown device or wrong device secret');
    }
    return row;
  }

  /** Long-poll the requests waiting for a device. */
  async pendingRequests(
    deviceId: string,
    secret: string | undefined,
    waitMs: number,
  ): Promise<DeviceRequest[]> {
    await this.device(deviceId, secret);
    const read = async () => {
      const rows = await this.options.db
        .selectFrom('sk_sessions')
        .selectAll()
        .where('device_id', '=', deviceId)
        .where('state', '=', 'RUNNING')
        .where('expires_at', '>', this.now().getTime())
        .orderBy('created_at')
        .execute();
      return rows.map((s) => ({
        sessionId: s.id,
        relyingPartyName: s.rp_name,
        ...(s.display_text ? { displayText: s.display_text } : {}),
        hash: toBase64(asBytes(s.hash)),
        hashType: s.hash_type as HashType,
        expiresAt: new Date(s.expires_at).toISOString(),
      }));
    };
    // Listen before reading: a request started between the read and the wait is not lost.
    const waiter = this.waiter(`device:${deviceId}`, waitMs);
    const now = await read();
    if (now.length > 0 || waitMs <= 0) {
      waiter.cancel();
      return now;
    }
    await waiter.done;
    return read();
  }

  async answer(
    deviceId: string,
    secret: string | undefined,
    sessionId: string,
    answer: DeviceAnswer,
  ): Promise<void> {
    const device = await this.device(deviceId, secret);
    const session = await this.session(sessionId);
    if (!session || session.device_id !== deviceId)
      throw new HttpProblem(404, 'NO_SESSION', 'no such session');
    if (session.state !== 'RUNNING') throw new HttpProblem(409, 'SESSION_COMPLETE', 'the session is over');
    const kind = session.kind as DeviceKind;
    let result: string;
    let signature: Uint8Array | null = null;
    if ('signature' in answer) {
      const cert = Certificate.fromDer(asBytes(device.certificate));
      signature = fromBase64(answer.signature);
      const ok = verifyDigestSignature(cert, asBytes(session.hash), signature);
      result = ok ? 'OK' : kind === 'mobile-id' ? 'SIGNATURE_HASH_MISMATCH' : 'DOCUMENT_UNUSABLE';
      if (!ok) signature = null;
    } else if ('refused' in answer) result = kind === 'mobile-id' ? 'USER_CANCELLED' : 'USER_REFUSED';
    else result = kind === 'mobile-id' ? 'SIM_ERROR' : 'DOCUMENT_UNUSABLE';
    await this.complete(sessionId, result as MobileIdResult | SmartIdEndResult, signature);
  }

  // ---- relying-party sessions -----------------------------------------------------------

  /**
   * Start an authentication. Smart-ID: an unknown person is 404 (SK's "object not found");
   * Mobile-ID: a wrong phone/code pair completes at once as NOT_MID_CLIENT, as SK's MID does.
   */
  async start(
    kind: DeviceKind,
    input: {
      idCode: string;
      phoneNumber?: string;
      hash: string;
      hashType: HashType;
      rpName: string;
      displayText?: string;
    },
  ): Promise<string> {
    const hash = fromBase64(input.hash);
    if (hash.length !== HASH_TYPES[input.hashType]) {
      throw new HttpProblem(400, 'BAD_HASH', `hash length does not match ${input.hashType}`);
    }
    const device = await this.options.db
      .selectFrom('sk_devices')
      .selectAll()
      .where('kind', '=', kind)
      .where('id_code', '=', input.idCode)
      .executeTakeFirst();
    if (!device && kind === 'smart-id')
      throw new HttpProblem(404, 'NOT_FOUND', 'no Smart-ID account for this person');
    const known = device && (kind === 'smart-id' || device.phone_number === input.phoneNumber);
    const id = randomUUID();
    const now = this.now().getTime();
    await this.options.db
      .insertInto('sk_sessions')
      .values({
        id,
        kind,
        device_id: known ? device.id : null,
        rp_name: input.rpName,
        display_text: input.displayText ?? null,
        hash,
        hash_type: input.hashType,
        state: known ? 'RUNNING' : 'COMPLETE',
        result: known ? null : 'NOT_MID_CLIENT',
        signature: null,
        created_at: now,
        expires_at: now + this.timeoutMs,
      })
      .execute();
    if (known) this.events.emit(`device:${device.id}`);
    return id;
  }

  /** Long-poll a session's status (at most `waitMs`); a session past its time ends as TIMEOUT. */
  async status(kind: DeviceKind, sessionId: string, waitMs: number): Promise<SkSessionView> {
    const waiter = this.waiter(`session:${sessionId}`, waitMs);
    let session = await this.session(sessionId);
    if (!session || session.kind !== kind) {
      waiter.cancel();
      throw new HttpProblem(404, 'NOT_FOUND', 'no such session');
    }
    if (session.state !== 'RUNNING') waiter.cancel();
    else {
      const left = session.expires_at - this.now().getTime();
      if (left > 0 && waitMs > 0) {
        await Promise.race([waiter.done, new Promise((resolve) => setTimeout(resolve, left).unref())]);
        session = (await this.session(sessionId))!;
      }
      waiter.cancel();
      if (session.state === 'RUNNING' && session.expires_at <= this.now().getTime()) {
        await this.complete(sessionId, 'TIMEOUT', null);
        session = (await this.session(sessionId))!;
      }
    }
    return this.view(session);
  }

  private async view(s: SkSessionsTable): Promise<SkSessionView> {
    const view: SkSessionView = {
      id: s.id,
      kind: s.kind as DeviceKind,
      state: s.state as 'RUNNING' | 'COMPLETE',
    };
    if (s.result) view.result = s.result;
    if (s.result === 'OK' && s.signature && s.device_id) {
      const device = await this.options.db
        .selectFrom('sk_devices')
        .select('certificate')
        .where('id', '=', s.device_id)
        .executeTakeFirst();
      view.signature = {
        value: toBase64(asBytes(s.signature)),
        algorithm: SIGNATURE_ALGORITHM[s.hash_type as HashType],
      };
      if (device) view.cert = toBase64(asBytes(device.certificate));
    }
    return view;
  }

  private session(id: string) {
    return this.options.db.selectFrom('sk_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  private async complete(
    id: string,
    result: MobileIdResult | SmartIdEndResult,
    signature: Uint8Array | null,
  ) {
    const updated = await this.options.db
      .updateTable('sk_sessions')
      .set({ state: 'COMPLETE', result, signature })
      .where('id', '=', id)
      .where('state', '=', 'RUNNING')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) this.events.emit(`session:${id}`);
  }

  /** A promise that settles on the event or after `ms`, whichever first; `cancel` settles it now. */
  private waiter(event: string, ms: number): { done: Promise<void>; cancel: () => void } {
    let cancel = () => undefined as void;
    const done = new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.events.off(event, finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.events.once(event, finish);
      cancel = finish;
    });
    return { done, cancel };
  }
}

function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
