import { XRoadIdError } from './errors.js';
import { checkOptionalPart, checkPart, joinEncoded, splitEncoded, type IdentifierOptions } from './parts.js';

export interface XRoadClientIdParts {
  readonly instance: string;
  readonly memberClass: string;
  readonly memberCode: string;
  /** Absent for a member; present for one of its subsystems. */
  readonly subsystemCode?: string | null;
}

/**
 * A service client or provider: a member (`INSTANCE/CLASS/MEMBER`) or one of its subsystems
 * (`INSTANCE/CLASS/MEMBER/SUBSYSTEM`). Immutable; compare with `equals` or by `key`.
 */
export class XRoadClientId {
  readonly instance: string;
  readonly memberClass: string;
  readonly memberCode: string;
  readonly subsystemCode: string | null;

  private constructor(
    instance: string,
    memberClass: string,
    memberCode: string,
    subsystemCode: string | null,
  ) {
    this.instance = instance;
    this.memberClass = memberClass;
    this.memberCode = memberCode;
    this.subsystemCode = subsystemCode;
    Object.freeze(this);
  }

  /** Builds an identifier from decoded parts, checking each one. */
  static of(parts: XRoadClientIdParts, options?: IdentifierOptions): XRoadClientId {
    if (typeof parts !== 'object' || parts === null) throw new XRoadIdError('BAD_ARGUMENT', 'parts required');
    return new XRoadClientId(
      checkPart(parts.instance, 'instance', options),
      checkPart(parts.memberClass, 'member class', options),
      checkPart(parts.memberCode, 'member code', options),
      checkOptionalPart(parts.subsystemCode, 'subsystem code', options),
    );
  }

  /**
   * Reads the header form `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]` (PR-REST §4.3, X-Road-Client): three or
   * four parts, each percent-decoded on its own.
   */
  static parse(value: string, options?: IdentifierOptions): XRoadClientId {
    const [instance, memberClass, memberCode, subsystemCode] = splitEncoded(value, 3, 4, 'client identifier');
    return XRoadClientId.of(
      { instance: instance!, memberClass: memberClass!, memberCode: memberCode!, subsystemCode },
      options,
    );
  }

  get objectType(): 'MEMBER' | 'SUBSYSTEM' {
    return this.subsystemCode === null ? 'MEMBER' : 'SUBSYSTEM';
  }

  /** The member this identifier belongs to (itself when it is a member). */
  get member(): XRoadClientId {
    return this.subsystemCode === null
      ? this
      : new XRoadClientId(this.instance, this.memberClass, this.memberCode, null);
  }

  /** The decoded parts in order, absent ones left out. */
  get parts(): string[] {
    const parts = [this.instance, this.memberClass, this.memberCode];
    if (this.subsystemCode !== null) parts.push(this.subsystemCode);
    return parts;
  }

  /** The header form, each part percent-encoded (what X-Road-Client carries). */
  encode(): string {
    return joinEncoded(this.parts);
  }

  /** A string that is equal for equal identifiers and different otherwise (for maps and sets). */
  get key(): string {
    return `${this.objectType}:${joinEncoded(this.parts)}`;
  }

  equals(other: unknown): boolean {
    return other instanceof XRoadClientId && other.key === this.key;
  }

  /** X-Road's short form `INSTANCE/CLASS/MEMBER[/SUBSYSTEM]`, unencoded: for people, not for parsing. */
  toString(): string {
    return this.parts.join('/');
  }

  toJSON(): { instance: string; memberClass: string; memberCode: string; subsystemCode: string | null } {
    return {
      instance: this.instance,
      memberClass: this.memberClass,
      memberCode: this.memberCode,
      subsystemCode: this.subsystemCode,
    };
  }
}
