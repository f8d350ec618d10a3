import { XRoadClientId } from './client-id.js';
import { XRoadIdError } from './errors.js';
import { checkPart, joinEncoded, splitEncoded, type IdentifierOptions } from './parts.js';

export interface SecurityServerIdParts {
  readonly instance: string;
  readonly memberClass: string;
  readonly memberCode: string;
  readonly serverCode: string;
}

/** A Security Server: its owner member and its server code, `INSTANCE/CLASS/MEMBER/SERVERCODE`. */
export class SecurityServerId {
  readonly instance: string;
  readonly memberClass: string;
  readonly memberCode: string;
  readonly serverCode: string;

  private constructor(parts: SecurityServerIdParts) {
    this.instance = parts.instance;
    this.memberClass = parts.memberClass;
    this.memberCode = parts.memberCode;
    this.serverCode = parts.serverCode;
    Object.freeze(this);
  }

  static of(parts: SecurityServerIdParts, options?: IdentifierOptions): SecurityServerId {
    if (typeof parts !== 'object' || parts === null) throw new XRoadIdError('BAD_ARGUMENT', 'parts required');
    return new SecurityServerId({
      instance: checkPart(parts.instance, 'instance', options),
      memberClass: checkPart(parts.memberClass, 'member class', options),
      memberCode: checkPart(parts.memberCode, 'member code', options),
      serverCode: checkPart(parts.serverCode, 'server code', options),
    });
  }

  /** Reads the header form (X-Road-Security-Server, PR-REST §4.3): exactly four percent-encoded parts. */
  static parse(value: string, options?: IdentifierOptions): SecurityServerId {
    const [instance, memberClass, memberCode, serverCode] = splitEncoded(
      value,
      4,
      4,
      'security server identifier',
    );
    return SecurityServerId.of(
      { instance: instance!, memberClass: memberClass!, memberCode: memberCode!, serverCode: serverCode! },
      options,
    );
  }

  get objectType(): 'SERVER' {
    return 'SERVER';
  }

  /** The member that owns this Security Server. */
  get owner(): XRoadClientId {
    return XRoadClientId.of(this, { policy: 'lenient' });
  }

  get parts(): string[] {
    return [this.instance, this.memberClass, this.memberCode, this.serverCode];
  }

  encode(): string {
    return joinEncoded(this.parts);
  }

  get key(): string {
    return `SERVER:${this.encode()}`;
  }

  equals(other: unknown): boolean {
    return other instanceof SecurityServerId && other.key === this.key;
  }

  toString(): string {
    return this.parts.join('/');
  }

  toJSON(): SecurityServerIdParts {
    return {
      instance: this.instance,
      memberClass: this.memberClass,
      memberCode: this.memberCode,
      serverCode: this.serverCode,
    };
  }
}
