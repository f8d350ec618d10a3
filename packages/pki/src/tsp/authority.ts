import { randomBytes } from 'node:crypto';
import { hashLength, type HashAlgorithm } from '@riik/keys/signer';
import { toHex } from '@riik/core/encoding';
import { PkiError } from '../errors.js';
import { OID } from '../oids.js';
import type { Certificate } from '../x509/certificate.js';
import { IMPRINT_HASHES } from './imprint.js';
import { parseTimeStampReq, type ParsedTimeStampReq } from './request.js';
import { encodeTimeStampResp, timeStampRejection } from './response.js';
import type { PkiFailureInfoName } from './status.js';
import { TimeStampTokenSigner, type TimeStampTokenSignerOptions } from './token.js';
import type { Accuracy } from './tst-info.js';

export interface TimeStampAuthorityOptions extends TimeStampTokenSignerOptions {
  /** Policies this TSA issues under; the first is used when a request names none (default ETSI BTSP). */
  policies?: readonly string[];
  /** The accuracy the TSA's clock is held to (default 1 s). */
  accuracy?: Accuracy;
  /** Imprint hashes accepted (default SHA-256, SHA-384, SHA-512). */
  hashes?: readonly HashAlgorithm[];
  now?: () => Date;
  /** Serial number source (default: serialNumberGenerator()). */
  serialNumber?: () => Uint8Array;
}

export type TimeStampOutcome =
  | {
      status: 'granted';
      response: Uint8Array;
      token: Uint8Array;
      serialHex: string;
      genTime: Date;
      policy: string;
    }
  | { status: 'rejection'; response: Uint8Array; failure: PkiFailureInfoName; reason: string };

/**
 * Unique TSTInfo serial numbers without a database write per token: 8 random octets drawn when
 * the TSA starts, then a 64-bit counter. Unique within a run by the counter, across restarts by
 * the random prefix (two runs collide with probability 2^-64). 16 octets, well inside the 160
 * bits RFC 3161 §2.4.2 asks clients to handle.
 */
export function serialNumberGenerator(
  random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n)),
) {
  const serial = new Uint8Array(16);
  serial.set(random(8));
  // Top octet 0x40-0x7f: positive and never a leading zero, so every serial is 16 octets as encoded.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const view = new DataView(serial.buffer);
  let counter = 0n;
  return (): Uint8Array => {
    counter++;
    view.setBigUint64(8, counter);
    return serial.slice();
  };
}

/**
 * The time-stamping authority of RFC 3161: judges a TimeStampReq and answers with a token or
 * with the PKIFailureInfo that names what was wrong. It never throws on bad input; a failure
 * to sign becomes systemFailure.
 */
export class TimeStampAuthority {
  readonly policies: readonly string[];
  readonly tokens: TimeStampTokenSigner;
  private readonly accuracy: Accuracy;
  private readonly hashes: readonly HashAlgorithm[];
  private readonly now: () => Date;
  private readonly serialNumber: () => Uint8Array;

  constructor(options: TimeStampAuthorityOptions) {
    this.tokens = new TimeStampTokenSigner(options);
    this.policies = options.policies?.length ? options.policies : [OID.policyEtsiBtsp];
    this.accuracy = options.accuracy ?? { seconds: 1 };
    this.hashes = options.hashes ?? IMPRINT_HASHES;
    this.now = options.now ?? (() => new Date());
    this.serialNumber = options.serialNumber ?? serialNumberGenerator();
  }

  get certificate(): Certificate {
    return this.tokens.certificate;
  }

  /**
   * The failure a request earns, or the policy to issue under. The order follows what a client
   * can fix: the encoding, then the version, the algorithm, the digest, the policy, extensions.
   */
  check(request: ParsedTimeStampReq): { failure: PkiFailureInfoName; reason: string } | { policy: string } {
    if (request.version !== 1)
      return { failure: 'badRequest', reason: `unsupported version ${request.version}` };
    const mi = request.messageImprint;
    if (!mi.hash || !this.hashes.includes(mi.hash) || mi.hasParameters)
      return { failure: 'badAlg', reason: `hash algorithm ${mi.algorithm} is not accepted` };
    if (mi.hashedMessage.length !== hashLength(mi.hash))
      return { failure: 'badDataFormat', reason: `a ${mi.hash} digest is ${hashLength(mi.hash)} bytes` };
    const policy = request.policy ?? this.policies[0]!;
    if (!this.policies.includes(policy))
      return { failure: 'unacceptedPolicy', reason: `policy ${policy} is not offered` };
    // RFC 3161 §2.4.1: an extension the TSA does not recognise, critical or not, is refused.
    const ext = request.extensions[0];
    if (ext) return { failure: 'unacceptedExtension', reason: `extension ${ext.oid} is not supported` };
    return { policy };
  }

  /** Answer a DER TimeStampReq with a DER TimeStampResp. */
  async respond(requestDer: Uint8Array): Promise<TimeStampOutcome> {
    let request: ParsedTimeStampReq;
    try {
      request = parseTimeStampReq(requestDer);
    } catch (err) {
      if (!(err instanceof PkiError)) throw err;
      return this.reject('badDataFormat', 'the request is not a DER TimeStampReq');
    }
    const verdict = this.check(request);
    if ('failure' in verdict) return this.reject(verdict.failure, verdict.reason);
    const genTime = this.now();
    const serial = this.serialNumber();
    let token: Uint8Array;
    try {
      ({ der: token } = await this.tokens.sign(
        {
          policy: verdict.policy,
          messageImprint: request.messageImprint.der,
          serialNumber: serial,
          genTime,
          accuracy: this.accuracy,
          ...(request.nonce ? { nonce: request.nonce } : {}),
        },
        request.certReq,
      ));
    } catch {
      return this.reject('systemFailure', 'the TSA could not sign');
    }
    return {
      status: 'granted',
      response: encodeTimeStampResp(token),
      token,
      serialHex: toHex(serial),
      genTime,
      policy: verdict.policy,
    };
  }

  private reject(failure: PkiFailureInfoName, reason: string): TimeStampOutcome {
    return { status: 'rejection', response: timeStampRejection(failure, reason), failure, reason };
  }
}
