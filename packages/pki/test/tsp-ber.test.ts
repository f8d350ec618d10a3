import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '@riik/core';
import { testDataDir } from '@riik/testing';
import { berToDer, Certificate, encodeTlv, parseTimeStampToken, verifyTimeStampToken } from '../src/index.js';
import { unzip } from './zip.js';

describe('BER framing of CMS time-stamp tokens', () => {
  it('leaves DER unchanged, byte for byte', () => {
    const der = fromHex('3009020101a00404020102');
    expect(toHex(berToDer(der))).toBe(toHex(der));
    // non-minimal lengths inside a definite element are rewritten, the rest kept
    expect(toHex(berToDer(fromHex('300402810101')))).toBe('3003020101');
  });

  it('gives indefinite lengths a definite length and joins constructed OCTET STRINGs', () => {
    // SEQUENCE (indefinite) { INTEGER 1, [0] (indefinite) { OCTET STRING (constructed) { 'ab', 'cd' } } }
    const ber = fromHex('3080' + '020101' + 'a080' + '2480' + '0401ab' + '0401cd' + '0000' + '0000' + '0000');
    expect(toHex(berToDer(ber))).toBe('3009' + '020101' + 'a004' + '0402abcd');
  });

  it('refuses broken BER with a coded error', () => {
    for (const hex of [
      '3080020101', // no end-of-contents
      '0480', // indefinite primitive
      '3005020101', // content past the end
      '300302010100', // trailing byte
      '1f0100', // high tag number
      '3084ffffffff', // length past the end
      '2480' + '020101' + '0000', // constructed OCTET STRING with an INTEGER segment
      '3080'.repeat(41) + '0000'.repeat(41), // nested too deeply
    ]) {
      expect(() => berToDer(fromHex(hex)), hex).toThrow(expect.objectContaining({ code: 'MALFORMED_DER' }));
    }
  });

  it('treats DER the same on its quick path as in the rewrite (mutated real token)', () => {
    // The rewrite runs for anything inside an indefinite-length wrapper, so wrapping is a second
    // opinion on every mutation: both refuse it, or both give the same DER.
    const files = unzip(readFileSync(join(testDataDir('digidoc', 'containers'), 'testtimestamp.asics')));
    const der = berToDer(files.get('META-INF/timestamp.tst')!);
    const outcome = (f: () => Uint8Array) => {
      try {
        return toHex(f());
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    let same = 0;
    // (from byte 4: a shortened outer length leaves trailing bytes, which a wrapper would read on)
    for (let i = 4; i < der.length; i += 3) {
      for (const flip of [0x01, 0x20, 0x80]) {
        const mutated = new Uint8Array(der);
        mutated[i]! ^= flip;
        const direct = outcome(() => berToDer(mutated));
        const wrapped = outcome(() => berToDer(Uint8Array.from([0x30, 0x80, ...mutated, 0, 0])));
        if (direct === 'MALFORMED_DER') expect(wrapped, `byte ${i}`).toBe('MALFORMED_DER');
        else {
          expect(wrapped, `byte ${i}`).toBe(toHex(encodeTlv(0x30, fromHex(direct))));
          if (direct === toHex(mutated)) same++;
        }
      }
    }
    expect(same).toBeGreaterThan(100);
  });

  it('reads a real indefinite-length token (DEMO of SK TSA 2014) and verifies it', async () => {
    const files = unzip(readFileSync(join(testDataDir('digidoc', 'containers'), 'testtimestamp.asics')));
    const token = files.get('META-INF/timestamp.tst')!;
    expect(toHex(token.subarray(0, 2))).toBe('3080');
    const parsed = parseTimeStampToken(token);
    expect(parsed.der[1]).not.toBe(0x80);
    const data = [...files.entries()].find(([name]) => !name.startsWith('META-INF/') && name !== 'mimetype')!;
    const anchor = Certificate.fromPem(
      readFileSync(
        join(testDataDir('digidoc', 'trust'), 'root-TEST_of_EE_Certification_Centre_Root_CA.pem'),
        'utf8',
      ),
    );
    const result = await verifyTimeStampToken(token, { data: data[1], anchors: [anchor] });
    expect(result).toMatchObject({ valid: true, code: 'OK' });
  });
});
