import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidIdCode } from '@riik/core';
import { createLogger } from '@riik/http';
import { tempDir } from '@riik/testing';
import { startRr, syntheticResidents, type RunningRr } from '../src/index.js';

describe('population register', () => {
  const dir = tempDir();
  let rr: RunningRr;
  beforeAll(async () => {
    rr = await startRr({ dataDir: dir.path, port: 0, log: createLogger('rr', 'silent') });
  });
  afterAll(async () => {
    await rr?.close();
    dir.remove();
  });

  it('seeds deterministic residents with valid, distinct codes, including the test person', () => {
    const a = syntheticResidents(300);
    expect(a).toEqual(syntheticResidents(300));
    expect(a).toHaveLength(301);
    expect(new Set(a.map((p) => p.id_code)).size).toBe(301);
    expect(a.every((p) => isValidIdCode(p.id_code))).toBe(true);
    expect(a.find((p) => p.id_code === '38001085718')?.surname).toBe('JÕEORG');
  });

  it('answers GET /persons/{idCode}', async () => {
    const r = await fetch(`${rr.url}/persons/38001085718`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      idCode: '38001085718',
      givenName: 'JAAK-KRISTJAN',
      surname: 'JÕEORG',
      birthDate: '1980-01-08',
      sex: 'male',
      address: 'Sepapaja tn 1, 11415 Tallinn',
    });
    expect((await fetch(`${rr.url}/persons/38001085719`)).status).toBe(400);
    expect(syntheticResidents(1000).some((p) => p.id_code === '49002285967')).toBe(false);
    expect((await fetch(`${rr.url}/persons/49002285967`)).status).toBe(404);
    const api = await (await fetch(`${rr.url}/openapi.yaml`)).text();
    expect(api).toContain('openapi: 3.0.3');
    expect(api).toContain(`url: ${rr.url}/persons`);
  });
});
