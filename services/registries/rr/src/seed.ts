import { createHash } from 'node:crypto';
import { generateIdCode, type Sex } from '@riik/core';
import type { PersonsTable } from './db.js';

/*
 * Synthetic residents for the demo e-state. Deterministic (a seeded generator), so every `riik up`
 * has the same population and scripts can rely on it; the public test person of the Estonian eID
 * ecosystem, 38001085718 JAAK-KRISTJAN JÕEORG, is always there.
 */

const MALE = [
  'JAAN',
  'MARTIN',
  'ANDRES',
  'TOOMAS',
  'MART',
  'PRIIT',
  'RASMUS',
  'KRISTJAN',
  'MARKUS',
  'OLIVER',
  'HENRI',
  'SIIM',
  'TANEL',
  'MIHKEL',
  'KAAREL',
];
const FEMALE = [
  'MARI',
  'KATRIN',
  'TIIU',
  'LIIS',
  'KADRI',
  'SOFIA',
  'EMMA',
  'MIA',
  'ANNA',
  'LAURA',
  'KERTU',
  'MARIA',
  'PIRET',
  'TRIIN',
  'HELEN',
];
const SURNAMES = [
  'TAMM',
  'SAAR',
  'SEPP',
  'MÄGI',
  'KASK',
  'KUKK',
  'REBANE',
  'ILVES',
  'PÄRN',
  'KOPPEL',
  'LAAS',
  'LEPP',
  'KIVI',
  'OJA',
  'RAUDSEPP',
  'VAHER',
  'KALJUSTE',
  'MÕTTUS',
  'TOOMING',
  'LUIK',
];
const STREETS = [
  'Pikk',
  'Lai',
  'Tartu mnt',
  'Narva mnt',
  'Pärnu mnt',
  'Vabaduse pst',
  'Kalevi',
  'Rüütli',
  'Jõe',
  'Kooli',
];
const PLACES = [
  'Tallinn',
  'Tartu',
  'Pärnu',
  'Narva',
  'Viljandi',
  'Rakvere',
  'Kuressaare',
  'Haapsalu',
  'Võru',
  'Paide',
];

export const TEST_PERSON: PersonsTable = {
  id_code: '38001085718',
  given_name: 'JAAK-KRISTJAN',
  surname: 'JÕEORG',
  birth_date: '1980-01-08',
  sex: 'male',
  address: 'Sepapaja tn 1, 11415 Tallinn',
};

/** A deterministic pseudo-random stream (SHA-256 in counter mode). */
function stream(seed: string): (max: number) => number {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (max) => {
    if (pool.length < 4) {
      pool = createHash('sha256').update(`${seed}:${counter++}`).digest();
    }
    const v = pool.readUInt32BE(0);
    pool = pool.subarray(4);
    return v % max;
  };
}

/** `count` synthetic residents plus the test person, with valid and distinct identification codes. */
export function syntheticResidents(count = 1000, seed = 'riik-rr'): PersonsTable[] {
  const rand = stream(seed);
  const out = new Map<string, PersonsTable>([[TEST_PERSON.id_code, TEST_PERSON]]);
  while (out.size < count + 1) {
    const sex: Sex = rand(2) === 0 ? 'male' : 'female';
    const year = 1930 + rand(90);
    const month = 1 + rand(12);
    const day = 1 + rand(28);
    const born = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const idCode = generateIdCode({ born, sex, serial: rand(1000) });
    if (out.has(idCode)) continue;
    const given = (sex === 'male' ? MALE : FEMALE)[rand(15)]!;
    out.set(idCode, {
      id_code: idCode,
      given_name: given,
      surname: SURNAMES[rand(SURNAMES.length)]!,
      birth_date: born,
      sex,
      address: `${STREETS[rand(STREETS.length)]} ${1 + rand(120)}, ${PLACES[rand(PLACES.length)]}`,
    });
  }
  return [...out.values()];
}
