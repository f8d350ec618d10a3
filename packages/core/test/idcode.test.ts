import { describe, expect, it } from 'vitest';
import { readTestJson } from '@riik/testing';
import {
  checkDigit,
  checkIdCode,
  generateIdCode,
  generateIdCodes,
  parseIdCode,
  type IdCodeFault,
} from '../src/index.js';

interface Vector {
  code: string;
  valid: boolean;
  reason: string;
  parsed?: { birthDate: string; sex: string; serial: string; checkDigit: number };
}

const FAULT_OF_REASON: Record<string, IdCodeFault> = {
  'bad checksum': 'BAD_CHECKSUM',
  'invalid date': 'INVALID_DATE',
  'invalid century/gender digit': 'INVALID_CENTURY',
  'wrong length': 'WRONG_LENGTH',
  'non-digit characters': 'NON_DIGIT',
};

const { codes } = readTestJson<{ codes: Vector[] }>('isikukood', 'codes.json');

describe('identification codes against ../shared/test-data/isikukood', () => {
  it('has the whole vector set', () => expect(codes.length).toBeGreaterThanOrEqual(36));

  for (const v of codes) {
    it(`${JSON.stringify(v.code)} → ${v.reason}`, () => {
      const result = checkIdCode(v.code);
      expect(result.valid).toBe(v.valid);
      if (result.valid) {
        expect(v.parsed).toBeDefined();
        expect(result.idCode).toMatchObject({
          birthDate: v.parsed!.birthDate,
          sex: v.parsed!.sex,
          serial: v.parsed!.serial,
          checkDigit: v.parsed!.checkDigit,
        });
      } else {
        expect(result.fault).toBe(FAULT_OF_REASON[v.reason.replace(/ \(.*\)$/, '')]);
      }
    });
  }
});

describe('the issue vectors', () => {
  it.each(['38001085718', '60001019906', '30303039914', '50001029996', '51307149560'])(
    '%s is valid',
    (code) => {
      expect(parseIdCode(code).code).toBe(code);
    },
  );
  it('uses the second weight set and the double fallback', () => {
    expect(checkDigit('5000102999')).toBe(6);
    expect(checkDigit('5130714956')).toBe(0);
  });
  it('throws a coded error', () => {
    expect(() => parseIdCode('38001085719')).toThrow(expect.objectContaining({ code: 'BAD_CHECKSUM' }));
  });
});

describe('generation', () => {
  it('generates valid codes for a date and sex', () => {
    for (const [born, sex] of [
      ['1980-01-08', 'male'],
      ['2000-02-29', 'female'],
      ['1899-12-31', 'female'],
      ['2150-06-01', 'male'],
    ] as const) {
      const codes = generateIdCodes({ born, sex }, 50);
      expect(new Set(codes).size).toBe(50);
      for (const code of codes) {
        const parsed = parseIdCode(code);
        expect(parsed.birthDate).toBe(born);
        expect(parsed.sex).toBe(sex);
      }
    }
  });
  it('reproduces a known code from its serial', () => {
    expect(generateIdCode({ born: '1980-01-08', sex: 'male', serial: 571 })).toBe('38001085718');
  });
  it('rejects impossible dates and counts', () => {
    expect(() => generateIdCode({ born: '2001-02-29', sex: 'male' })).toThrow(
      expect.objectContaining({ code: 'INVALID_DATE' }),
    );
    expect(() => generateIdCode({ born: '1700-01-01', sex: 'male' })).toThrow(
      expect.objectContaining({ code: 'BAD_ARGUMENT' }),
    );
    expect(() => generateIdCodes({ born: '1980-01-01', sex: 'male' }, 1001)).toThrow();
  });
  it('can produce all 1000 serials of a day', () => {
    expect(new Set(generateIdCodes({ born: '1990-05-05', sex: 'female' }, 1000)).size).toBe(1000);
  });
});
