import { XRoadClientId } from './client-id.js';
import { XRoadIdError } from './errors.js';
import { checkOptionalPart, checkPart, joinEncoded, splitEncoded, type IdentifierOptions } from './parts.js';

export interface XRoadServiceIdParts {
  readonly instance: string;
  readonly memberClass: string;
  readonly memberCode: string;
  readonly subsystemCode?: string | null;
  readonly serviceCode: string;
  /** SOAP services may be versioned (PR-MESS §3.1); REST services never are. */
  readonly serviceVersion?: string | null;
}

/** The plain-object form of a service identifier (`toJSON`). */
export interface ServiceIdFields {
  instance: string;
  memberClass: string;
  memberCode: string;
  subsystemCode: string | null;
  serviceCode: string;
  serviceVersion: string | null;
}

/**
 * A service: its provider (member or subsystem), its code and, for SOAP services only, a version.
 * In the REST protocol a service identifier is `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE` and has no
 * version part.
 */
export class XRoadServiceId {
  readonly instance: string;
  readonly memberClass: string;
  readonly memberCode: string;
  readonly subsystemCode: string | null;
  readonly serviceCode: string;
  readonly serviceVersion: string | null;

  private constructor(parts: ServiceIdFields) {
    this.instance = parts.instance;
    this.memberClass = parts.memberClass;
    this.memberCode = parts.memberCode;
    this.subsystemCode = parts.subsystemCode;
    this.serviceCode = parts.serviceCode;
    this.serviceVersion = parts.serviceVersion;
    Object.freeze(this);
  }

  static of(parts: XRoadServiceIdParts, options?: IdentifierOptions): XRoadServiceId {
    if (typeof parts !== 'object' || parts === null) throw new XRoadIdError('BAD_ARGUMENT', 'parts required');
    return new XRoadServiceId({
      instance: checkPart(parts.instance, 'instance', options),
      memberClass: checkPart(parts.memberClass, 'member class', options),
      memberCode: checkPart(parts.memberCode, 'member code', options),
      subsystemCode: checkOptionalPart(parts.subsystemCode, 'subsystem code', options),
      serviceCode: checkPart(parts.serviceCode, 'service code', options),
      serviceVersion: checkOptionalPart(parts.serviceVersion, 'service version', options),
    });
  }

  /** The service `serviceCode` of `provider`. */
  static ofProvider(
    provider: XRoadClientId,
    serviceCode: string,
    options?: IdentifierOptions,
  ): XRoadServiceId {
    return XRoadServiceId.of({ ...provider.toJSON(), serviceCode }, options);
  }

  /**
   * Reads the REST header form (X-Road-Service): `INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE`, or
   * `INSTANCE/CLASS/MEMBER/SERVICECODE` for a member's own service (PR-REST §4.1 makes the subsystem
   * OPTIONAL; in a header, unlike in the request path, four parts are unambiguous). Parts are
   * percent-decoded one by one.
   */
  static parse(value: string, options?: IdentifierOptions): XRoadServiceId {
    const parts = splitEncoded(value, 4, 5, 'service identifier');
    const [instance, memberClass, memberCode] = parts as [string, string, string];
    return parts.length === 5
      ? XRoadServiceId.of(
          { instance, memberClass, memberCode, subsystemCode: parts[3]!, serviceCode: parts[4]! },
          options,
        )
      : XRoadServiceId.of({ instance, memberClass, memberCode, serviceCode: parts[3]! }, options);
  }

  get objectType(): 'SERVICE' {
    return 'SERVICE';
  }

  /** The member or subsystem that provides this service. */
  get provider(): XRoadClientId {
    // The parts were checked when this identifier was made; `lenient` accepts everything `strict` does.
    return XRoadClientId.of(this.toJSON(), { policy: 'lenient' });
  }

  /** The same service without a version. */
  withoutVersion(): XRoadServiceId {
    return this.serviceVersion === null
      ? this
      : new XRoadServiceId({ ...this.toJSON(), serviceVersion: null });
  }

  /** Decoded parts in order, absent ones left out (version last when present). */
  get parts(): string[] {
    const parts = [this.instance, this.memberClass, this.memberCode];
    if (this.subsystemCode !== null) parts.push(this.subsystemCode);
    parts.push(this.serviceCode);
    if (this.serviceVersion !== null) parts.push(this.serviceVersion);
    return parts;
  }

  /**
   * The REST form, each part percent-encoded: the X-Road-Service header value and, with a leading `/`,
   * the `{serviceId}` of the request path. A versioned (SOAP) service has no REST form.
   */
  encode(): string {
    if (this.serviceVersion !== null) {
      throw new XRoadIdError('NOT_REPRESENTABLE', 'REST service identifiers have no version');
    }
    return joinEncoded(this.parts);
  }

  get key(): string {
    const at = (v: string | null): string => v ?? '';
    return `SERVICE:${joinEncoded([this.instance, this.memberClass, this.memberCode, at(this.subsystemCode), this.serviceCode, at(this.serviceVersion)])}`;
  }

  equals(other: unknown): boolean {
    return other instanceof XRoadServiceId && other.key === this.key;
  }

  toString(): string {
    return this.parts.join('/');
  }

  toJSON(): ServiceIdFields {
    return {
      instance: this.instance,
      memberClass: this.memberClass,
      memberCode: this.memberCode,
      subsystemCode: this.subsystemCode,
      serviceCode: this.serviceCode,
      serviceVersion: this.serviceVersion,
    };
  }
}
