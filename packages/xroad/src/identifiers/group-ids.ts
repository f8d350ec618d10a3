import { XRoadIdError } from './errors.js';
import { checkPart, joinEncoded, splitEncoded, type IdentifierOptions } from './parts.js';

/** A global group, defined by the central server for a whole instance: `INSTANCE/GROUPCODE`. */
export class GlobalGroupId {
  readonly instance: string;
  readonly groupCode: string;

  private constructor(instance: string, groupCode: string) {
    this.instance = instance;
    this.groupCode = groupCode;
    Object.freeze(this);
  }

  static of(
    parts: { readonly instance: string; readonly groupCode: string },
    options?: IdentifierOptions,
  ): GlobalGroupId {
    if (typeof parts !== 'object' || parts === null) throw new XRoadIdError('BAD_ARGUMENT', 'parts required');
    return new GlobalGroupId(
      checkPart(parts.instance, 'instance', options),
      checkPart(parts.groupCode, 'group code', options),
    );
  }

  static parse(value: string, options?: IdentifierOptions): GlobalGroupId {
    const [instance, groupCode] = splitEncoded(value, 2, 2, 'global group identifier');
    return GlobalGroupId.of({ instance: instance!, groupCode: groupCode! }, options);
  }

  get objectType(): 'GLOBALGROUP' {
    return 'GLOBALGROUP';
  }

  get parts(): string[] {
    return [this.instance, this.groupCode];
  }

  encode(): string {
    return joinEncoded(this.parts);
  }

  get key(): string {
    return `GLOBALGROUP:${this.encode()}`;
  }

  equals(other: unknown): boolean {
    return other instanceof GlobalGroupId && other.key === this.key;
  }

  toString(): string {
    return this.parts.join('/');
  }

  toJSON(): { instance: string; groupCode: string } {
    return { instance: this.instance, groupCode: this.groupCode };
  }
}

/**
 * A local group, defined in one Security Server for its own access rights. It has only a group code:
 * X-Road's `LocalGroupId` carries no instance.
 */
export class LocalGroupId {
  readonly groupCode: string;

  private constructor(groupCode: string) {
    this.groupCode = groupCode;
    Object.freeze(this);
  }

  static of(parts: { readonly groupCode: string }, options?: IdentifierOptions): LocalGroupId {
    if (typeof parts !== 'object' || parts === null) throw new XRoadIdError('BAD_ARGUMENT', 'parts required');
    return new LocalGroupId(checkPart(parts.groupCode, 'group code', options));
  }

  static parse(value: string, options?: IdentifierOptions): LocalGroupId {
    const [groupCode] = splitEncoded(value, 1, 1, 'local group identifier');
    return LocalGroupId.of({ groupCode: groupCode! }, options);
  }

  get objectType(): 'LOCALGROUP' {
    return 'LOCALGROUP';
  }

  get parts(): string[] {
    return [this.groupCode];
  }

  encode(): string {
    return joinEncoded(this.parts);
  }

  get key(): string {
    return `LOCALGROUP:${this.encode()}`;
  }

  equals(other: unknown): boolean {
    return other instanceof LocalGroupId && other.key === this.key;
  }

  toString(): string {
    return this.groupCode;
  }

  toJSON(): { groupCode: string } {
    return { groupCode: this.groupCode };
  }
}
