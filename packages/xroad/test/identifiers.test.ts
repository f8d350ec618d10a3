import { describe, expect, it } from 'vitest';
import {
  decodeIdentifierPart,
  encodeIdentifierPart,
  GlobalGroupId,
  isValidIdentifierValue,
  LocalGroupId,
  MAX_IDENTIFIER_PART_LENGTH,
  SecurityServerId,
  XRoadClientId,
  XRoadServiceId,
} from '../src/index.js';
import { expectCode } from './helpers.js';

describe('PR-REST §4.8 identifier characters', () => {
  it("allows exactly A-Z a-z 0-9 and ' ( ) + , - . = ?", () => {
    const allowed = new Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'()+,-.=?");
    for (let c = 0; c < 0x250; c++) {
      const ch = String.fromCharCode(c);
      expect(isValidIdentifierValue(ch), `U+${c.toString(16)}`).toBe(allowed.has(ch));
    }
    expect(isValidIdentifierValue('')).toBe(false);
    expect(isValidIdentifierValue('\u{1F600}')).toBe(false);
  });

  it('refuses space, slash, colon, semicolon, backslash, percent, tab and zero-width space (reference IdentifierValidatorTest)', () => {
    for (const bad of [
      'CO DE',
      'CO\tDE',
      'SER:VER',
      'TE/ST',
      'CLA;SS',
      'MEM\\BER',
      'SYS%TEM',
      'SERVICE\u200b',
    ]) {
      expectCode(
        () => XRoadClientId.of({ instance: 'EE', memberClass: 'GOV', memberCode: bad }),
        'INVALID_CHARACTER',
      );
    }
  });

  it('lenient policy takes what the reference Security Server only warns about, but never controls', () => {
    const id = XRoadClientId.of(
      { instance: 'EE', memberClass: 'GOV', memberCode: 'CO DE' },
      { policy: 'lenient' },
    );
    expect(id.memberCode).toBe('CO DE');
    for (const bad of ['a\u0000b', 'a\nb', 'a\u007fb', 'a\u0085b', 'a\ud800b', '\udc00']) {
      expectCode(
        () =>
          XRoadClientId.of({ instance: 'EE', memberClass: 'GOV', memberCode: bad }, { policy: 'lenient' }),
        'INVALID_CHARACTER',
      );
    }
  });

  it('refuses empty, "." / ".." and over-long parts under any policy', () => {
    expectCode(() => XRoadClientId.parse('EE//123'), 'EMPTY_PART');
    expectCode(() => XRoadClientId.parse('EE/GOV/..'), 'DOT_SEGMENT');
    expectCode(() => XRoadClientId.parse('EE/GOV/%2E', { policy: 'lenient' }), 'DOT_SEGMENT');
    const long = 'a'.repeat(MAX_IDENTIFIER_PART_LENGTH);
    expect(XRoadClientId.parse(`EE/GOV/${long}`).memberCode).toBe(long);
    expectCode(() => XRoadClientId.parse(`EE/GOV/${long}a`), 'TOO_LONG');
    expectCode(
      () => XRoadClientId.of({ instance: 'EE', memberClass: 'GOV', memberCode: 'x', subsystemCode: '' }),
      'EMPTY_PART',
    );
  });
});

describe('percent-encoding of identifier parts (PR-REST §4.2, §4.3)', () => {
  it('encodes everything but RFC 3986 pchar; of the §4.8 characters only "?"', () => {
    expect(encodeIdentifierPart("v1.0-(beta)+x,y=z?'q'")).toBe("v1.0-(beta)+x,y=z%3F'q'");
    expect(encodeIdentifierPart('BAR/SERVICE')).toBe('BAR%2FSERVICE');
    expect(encodeIdentifierPart('näide ü')).toBe('n%C3%A4ide%20%C3%BC');
    expect(encodeIdentifierPart('a%b#c')).toBe('a%25b%23c');
  });

  it('decodes UTF-8 escapes per part and leaves "+" alone', () => {
    expect(decodeIdentifierPart('n%C3%a4ide')).toBe('näide');
    expect(decodeIdentifierPart('a+b')).toBe('a+b');
    expect(decodeIdentifierPart('BAR%2FSERVICE')).toBe('BAR/SERVICE');
  });

  it('refuses malformed escapes and non-UTF-8', () => {
    for (const bad of ['%', '%4', '%zz', 'a%g1', '%C3', '%C3%28', '%ED%A0%80', '%C0%AF', '%FF']) {
      expectCode(() => decodeIdentifierPart(bad), 'BAD_PERCENT_ENCODING');
    }
  });

  it('round-trips every identifier through its header form', () => {
    const ids = [
      XRoadClientId.parse('EE/GOV/70000001'),
      XRoadClientId.parse('EE/GOV/70000001/portal'),
      XRoadClientId.of({ instance: 'EE', memberClass: 'GOV', memberCode: "a?b='c'", subsystemCode: 'x,y' }),
    ];
    for (const id of ids) expect(XRoadClientId.parse(id.encode()).equals(id)).toBe(true);
    const odd = XRoadClientId.of(
      { instance: 'EE', memberClass: 'GOV', memberCode: 'a/b c' },
      { policy: 'lenient' },
    );
    expect(odd.encode()).toBe('EE/GOV/a%2Fb%20c');
    expect(XRoadClientId.parse(odd.encode(), { policy: 'lenient' }).equals(odd)).toBe(true);
  });
});

describe('XRoadClientId', () => {
  it('is a member with three parts and a subsystem with four', () => {
    const member = XRoadClientId.parse('EE/GOV/70000001');
    const sub = XRoadClientId.parse('EE/GOV/70000001/portal');
    expect(member.objectType).toBe('MEMBER');
    expect(sub.objectType).toBe('SUBSYSTEM');
    expect(sub.member.equals(member)).toBe(true);
    expect(member.member).toBe(member);
    expect(sub.toString()).toBe('EE/GOV/70000001/portal');
    expect(sub.key).toBe('SUBSYSTEM:EE/GOV/70000001/portal');
    expect(JSON.stringify(member)).toBe(
      '{"instance":"EE","memberClass":"GOV","memberCode":"70000001","subsystemCode":null}',
    );
  });

  it('compares by value, case-sensitively, and member ≠ subsystem', () => {
    const a = XRoadClientId.parse('EE/GOV/1/sub');
    expect(
      a.equals(
        XRoadClientId.of({ instance: 'EE', memberClass: 'GOV', memberCode: '1', subsystemCode: 'sub' }),
      ),
    ).toBe(true);
    expect(a.equals(XRoadClientId.parse('EE/GOV/1/SUB'))).toBe(false);
    expect(a.equals(XRoadClientId.parse('EE/GOV/1'))).toBe(false);
    expect(a.equals('EE/GOV/1/sub')).toBe(false);
    expect(new Set([a.key, XRoadClientId.parse('EE/GOV/1/sub').key]).size).toBe(1);
  });

  it('refuses the wrong number of parts and non-strings', () => {
    for (const bad of ['', 'EE', 'EE/GOV', 'EE/GOV/1/sub/x', 'EE/GOV/1/sub/']) {
      expectCode(() => XRoadClientId.parse(bad), 'WRONG_PART_COUNT');
    }
    expectCode(() => XRoadClientId.parse('/'.repeat(100_000)), 'TOO_LONG');
    expectCode(() => XRoadClientId.parse(`EE/GOV/${'%41'.repeat(1000)}`), 'TOO_LONG');
    expectCode(() => XRoadClientId.parse(42 as unknown as string), 'BAD_ARGUMENT');
    expectCode(() => XRoadClientId.of(null as never), 'BAD_ARGUMENT');
    expectCode(
      () => XRoadClientId.of({ instance: 'EE', memberClass: 'GOV', memberCode: 7 as unknown as string }),
      'BAD_ARGUMENT',
    );
    expectCode(() => XRoadClientId.parse('EE/GOV/1', { policy: 'loose' as never }), 'BAD_ARGUMENT');
  });

  it('is immutable', () => {
    const id = XRoadClientId.parse('EE/GOV/1');
    expect(() => ((id as { memberCode: string }).memberCode = 'x')).toThrow(TypeError);
  });
});

describe('XRoadServiceId', () => {
  it('reads the five-part REST form and the four-part form of a member service', () => {
    const s = XRoadServiceId.parse('EE/GOV/70000002/rr/persons');
    expect(s.toJSON()).toEqual({
      instance: 'EE',
      memberClass: 'GOV',
      memberCode: '70000002',
      subsystemCode: 'rr',
      serviceCode: 'persons',
      serviceVersion: null,
    });
    expect(s.provider.equals(XRoadClientId.parse('EE/GOV/70000002/rr'))).toBe(true);
    expect(XRoadServiceId.parse('EE/GOV/70000002/persons').subsystemCode).toBeNull();
    expectCode(() => XRoadServiceId.parse('EE/GOV/70000002'), 'WRONG_PART_COUNT');
    expectCode(() => XRoadServiceId.parse('EE/GOV/70000002/rr/persons/v1'), 'WRONG_PART_COUNT');
  });

  it('carries a SOAP service version but has no REST form with one', () => {
    const soap = XRoadServiceId.of({
      instance: 'EE',
      memberClass: 'GOV',
      memberCode: '1',
      subsystemCode: 's',
      serviceCode: 'get',
      serviceVersion: 'v1',
    });
    expectCode(() => soap.encode(), 'NOT_REPRESENTABLE');
    expect(soap.withoutVersion().encode()).toBe('EE/GOV/1/s/get');
    expect(soap.equals(soap.withoutVersion())).toBe(false);
    expect(soap.toString()).toBe('EE/GOV/1/s/get/v1');
  });

  it('has keys that tell a subsystem service from a versioned member service', () => {
    const a = XRoadServiceId.of({
      instance: 'EE',
      memberClass: 'GOV',
      memberCode: '1',
      subsystemCode: 'x',
      serviceCode: 'y',
    });
    const b = XRoadServiceId.of({
      instance: 'EE',
      memberClass: 'GOV',
      memberCode: '1',
      serviceCode: 'x',
      serviceVersion: 'y',
    });
    expect(a.toString()).toBe(b.toString()); // X-Road's short form is ambiguous...
    expect(a.key).not.toBe(b.key); // ...the key is not
    expect(a.equals(b)).toBe(false);
  });

  it('ofProvider joins a provider and a code', () => {
    const provider = XRoadClientId.parse('EE/GOV/1/sub');
    expect(XRoadServiceId.ofProvider(provider, 'listMethods').encode()).toBe('EE/GOV/1/sub/listMethods');
  });
});

describe('SecurityServerId, GlobalGroupId, LocalGroupId', () => {
  it('SecurityServerId is INSTANCE/CLASS/MEMBER/SERVERCODE', () => {
    const ss = SecurityServerId.parse('EE/GOV/70000001/ss1');
    expect(ss.owner.equals(XRoadClientId.parse('EE/GOV/70000001'))).toBe(true);
    expect(ss.key).toBe('SERVER:EE/GOV/70000001/ss1');
    expect(SecurityServerId.parse(ss.encode()).equals(ss)).toBe(true);
    expectCode(() => SecurityServerId.parse('EE/GOV/70000001'), 'WRONG_PART_COUNT');
    expectCode(() => SecurityServerId.parse('EE/GOV/70000001/ss1/x'), 'WRONG_PART_COUNT');
    expectCode(() => SecurityServerId.parse('EE/GOV/1/SER:VER'), 'INVALID_CHARACTER');
  });

  it('GlobalGroupId is INSTANCE/GROUPCODE and LocalGroupId just GROUPCODE', () => {
    const g = GlobalGroupId.parse('EE/security-server-owners');
    expect(g.toJSON()).toEqual({ instance: 'EE', groupCode: 'security-server-owners' });
    expect(g.key).toBe('GLOBALGROUP:EE/security-server-owners');
    expectCode(() => GlobalGroupId.parse('EE'), 'WRONG_PART_COUNT');
    const l = LocalGroupId.parse('admins');
    expect(l.key).toBe('LOCALGROUP:admins');
    expect(l.equals(LocalGroupId.of({ groupCode: 'admins' }))).toBe(true);
    expectCode(() => LocalGroupId.parse('a/b'), 'WRONG_PART_COUNT');
    expectCode(() => LocalGroupId.parse('a b'), 'INVALID_CHARACTER');
  });

  it('identifiers of different kinds never compare equal', () => {
    const ss = SecurityServerId.parse('EE/GOV/1/x');
    const client = XRoadClientId.parse('EE/GOV/1/x');
    expect(ss.key).not.toBe(client.key);
    expect(ss.equals(client)).toBe(false);
  });
});
