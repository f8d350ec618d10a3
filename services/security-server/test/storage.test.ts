import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { readFileSync } from 'node:fs';
import { migrateToLatest, openDatabase, prepareQuery, type Database } from '@riik/storage';
import { FakeClock, storageBackends, tempDir } from '@riik/testing';
import { GlobalConf, XRoadClientId, XRoadServiceId, type SharedParameters } from '@riik/xroad';
import {
  archiveMessageLog,
  chainDigest,
  endpointsFromOpenApi,
  LINKING_INFO,
  MessageLog,
  securityServerMigrations,
  ServerConf,
  type SecurityServerDatabase,
} from '../src/index.js';
import { compiledInsert } from '../src/db/compiled.js';
import { GroupWriter } from '../src/db/group-writer.js';

const id = (s: string) => XRoadClientId.parse(s);
const RR = 'EE-DEV/GOV/70000562/rr';
const EMTA = 'EE-DEV/GOV/70000349/emta';
const ARIREG = 'EE-DEV/GOV/70000310/arireg';

const shared: SharedParameters = {
  instanceIdentifier: 'EE-DEV',
  approvedCas: [],
  approvedTsas: [],
  members: [
    {
      memberClass: { code: 'GOV', description: '' },
      memberCode: '70000562',
      name: 'SIM',
      subsystems: ['rr'],
    },
    {
      memberClass: { code: 'GOV', description: '' },
      memberCode: '70000349',
      name: 'MTA',
      subsystems: ['emta'],
    },
    {
      memberClass: { code: 'GOV', description: '' },
      memberCode: '70000310',
      name: 'RIK',
      subsystems: ['arireg'],
    },
  ],
  securityServers: [],
  globalGroups: [{ groupCode: 'tax', description: '', members: [id(EMTA)] }],
  globalSettings: { memberClasses: [], ocspFreshnessSeconds: 600 },
};

async function unzip(bytes: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<ZipFile>((res, rej) =>
    fromBuffer(bytes, { lazyEntries: true }, (e, z) => (e || !z ? rej(e ?? new Error('not a ZIP')) : res(z))),
  );
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) =>
      zip.openReadStream(entry, (err, s) => {
        if (err || !s) return reject(err ?? new Error('cannot read'));
        const chunks: Buffer[] = [];
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('end', () => {
          out.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      }),
    );
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return out;
}

describe.each(storageBackends())('security server storage on $name', ({ url }) => {
  const dir = tempDir();
  const clock = new FakeClock('2026-01-15T10:00:00Z');
  let database: Database<SecurityServerDatabase>;
  const gconf = new GlobalConf(shared, undefined, new Date('2099-01-01'), new Date());

  beforeAll(async () => {
    database = await openDatabase<SecurityServerDatabase>({
      url: url ?? `${dir.path}/ss.db`,
      ...(url ? { schema: `ss_${process.pid}_${Date.now() % 1e6}` } : {}),
    });
    await migrateToLatest(database, securityServerMigrations, 'security_server');
  });
  afterAll(async () => {
    await database?.close();
    dir.remove();
  });

  it('compiled queries put every value in its column, whatever order the columns are listed in', async () => {
    const db = database.db;
    const insert = compiledInsert(db, 'timestamps', [
      'url',
      'token',
      'id',
      'hash_chain_result',
      'created_at',
    ]);
    await db.executeQuery(
      insert({ id: 9001, created_at: 5, token: Buffer.from([1, 2]), hash_chain_result: '<r/>', url: 'u' }),
    );
    await db.executeQuery(
      insert({ url: 'v', hash_chain_result: '<s/>', created_at: 6, token: Buffer.from([3]), id: 9002 }),
    );
    const update = prepareQuery(db, (v: { url: string; id: number }) =>
      db.updateTable('timestamps').set({ url: v.url }).where('id', '=', v.id),
    );
    await update({ id: 9002, url: 'w' });
    const rows = await db.selectFrom('timestamps').selectAll().where('id', '>', 9000).orderBy('id').execute();
    expect(
      rows.map((r) => [r.id, r.created_at, Buffer.from(r.token).toString('hex'), r.hash_chain_result, r.url]),
    ).toEqual([
      [9001, 5, '0102', '<r/>', 'u'],
      [9002, 6, '03', '<s/>', 'w'],
    ]);
    await db.deleteFrom('timestamps').where('id', '>', 9000).execute();
  });

  it('access rights: deny by default, per endpoint, to clients and global and local groups', async () => {
    const conf = new ServerConf(database.db, clock.now);
    await conf.load();
    await conf.applySeed({
      services: [
        {
          provider: RR,
          serviceCode: 'persons',
          url: 'http://127.0.0.1:1/persons',
          type: 'REST',
          endpoints: [
            { method: 'GET', path: '/*' },
            { method: 'POST', path: '/*/documents/**' },
          ],
          timeoutSeconds: 60,
        },
      ],
      accessRights: [
        { provider: RR, serviceCode: 'persons', endpoint: { method: 'GET', path: '/*' }, subject: EMTA },
      ],
      localGroups: [{ code: 'registrars', description: '', members: [ARIREG] }],
    });
    const persons = XRoadServiceId.parse(`${RR}/persons`);
    expect(conf.isAllowed(id(EMTA), persons, 'GET', '/38001085718', gconf)).toBe(true);
    expect(conf.isAllowed(id(EMTA), persons, 'GET', '/38001085718/more', gconf)).toBe(false);
    expect(conf.isAllowed(id(EMTA), persons, 'POST', '/38001085718', gconf)).toBe(false);
    expect(conf.isAllowed(id(ARIREG), persons, 'GET', '/38001085718', gconf)).toBe(false);
    // A decoded %2F is a path separator, as the reference normalises it.
    expect(conf.isAllowed(id(EMTA), persons, 'GET', '/a%2Fb', gconf)).toBe(false);

    await conf.grant({
      provider: RR,
      serviceCode: 'persons',
      endpoint: { method: 'POST', path: '/*/documents/**' },
      subject: 'LOCALGROUP:registrars',
    });
    expect(conf.isAllowed(id(ARIREG), persons, 'POST', '/1/documents/x/y', gconf)).toBe(true);
    expect(conf.isAllowed(id(ARIREG), persons, 'GET', '/1', gconf)).toBe(false);
    await conf.grant({ provider: RR, serviceCode: 'persons', subject: 'GLOBALGROUP:EE-DEV/tax' });
    expect(conf.isAllowed(id(EMTA), persons, 'DELETE', '/anything/at/all', gconf)).toBe(true);
    expect(conf.allowedEndpoints(id(EMTA), conf.service(persons)!, gconf)).toEqual([
      { method: '*', path: '**' },
      { method: 'GET', path: '/*' },
    ]);
    await expect(
      conf.grant({
        provider: RR,
        serviceCode: 'persons',
        endpoint: { method: 'PUT', path: '/x' },
        subject: EMTA,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(conf.grant({ provider: RR, serviceCode: 'nope', subject: EMTA })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      await conf.revoke({ provider: RR, serviceCode: 'persons', subject: 'GLOBALGROUP:EE-DEV/tax' }),
    ).toBe(true);
    expect(conf.isAllowed(id(EMTA), persons, 'DELETE', '/anything', gconf)).toBe(false);
    // The configuration survives a restart.
    const again = new ServerConf(database.db, clock.now);
    await again.load();
    expect(again.isAllowed(id(EMTA), persons, 'GET', '/1', gconf)).toBe(true);
  });

  it('OpenAPI descriptions become endpoints; garbage is refused with a coded error', () => {
    expect(
      endpointsFromOpenApi(
        'openapi: 3.0.3\npaths:\n  /{id}:\n    get: {}\n    delete: {}\n  /x/{a}/y:\n    post: {}\n',
      ),
    ).toEqual([
      { method: 'GET', path: '/*' },
      { method: 'DELETE', path: '/*' },
      { method: 'POST', path: '/x/*/y' },
    ]);
    for (const bad of ['', 'swagger: "2.0"', '{', 'a: &a [*a, *a]'])
      expect(() => endpointsFromOpenApi(bad)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('logs records durably, refuses after the grace period, and archives them with a linking chain', async () => {
    const writer = new GroupWriter(database.db);
    const log = new MessageLog(database.db, writer, 3000, clock.now);
    await log.init();
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = i % 253;
    const ids: number[] = [];
    for (const [n, body] of [Buffer.from('small'), big, Buffer.alloc(0)].entries()) {
      const recordId = log.newRecordId();
      const recorder = log.body(recordId);
      for (let i = 0; i < body.length; i += 65536) await recorder.push(body.subarray(i, i + 65536));
      await log.record(recordId, {
        messageId: `msg-${n}`,
        requestId: `req-${n}`,
        response: n === 1,
        client: id(EMTA),
        service: XRoadServiceId.parse(`${RR}/persons`),
        headerPart: Buffer.from(`GET\r\n/r1/x/${n}\r\n`),
        body: recorder,
        signature: { signatureXml: `<sig n="${n}"/>` },
      });
      ids.push(recordId);
    }
    expect(log.refusal()).toBeUndefined();
    clock.advance(3001);
    expect(log.refusal()).toMatch(/waited 3 s/);
    expect(() => log.checkAccepting('Server.ClientProxy')).toThrow(
      expect.objectContaining({ code: 'Server.ClientProxy.TimestampingFailed' }),
    );

    // A time-stamp arrives (the token bytes are not checked here; verify-log tests do that end to end).
    await writer.write(async (trx) => {
      await trx
        .insertInto('timestamps')
        .values({
          id: 1,
          created_at: clock.now().getTime(),
          token: Buffer.from([0x30, 0]),
          hash_chain_result: '<r/>',
          url: 'x',
        })
        .execute();
      for (const r of ids)
        await trx
          .updateTable('message_log')
          .set({ timestamp_id: 1, ts_hash_chain: '<c/>' })
          .where('id', '=', r)
          .execute();
    });
    await log.refreshPending();
    expect(log.refusal()).toBeUndefined();

    const files = await archiveMessageLog(database.db, {
      dir: `${dir.path}/archive`,
      maxRecords: 2,
      now: clock.now,
    });
    expect(files).toHaveLength(2);
    let previous = '';
    for (const file of files) {
      const entries = await unzip(readFileSync(file));
      const lines = entries.get(LINKING_INFO)!.toString().trim().split('\n');
      expect(lines[0]!.split(' ')[0]).toBe(previous || '-');
      let digest = previous;
      for (const line of lines.slice(1)) {
        const [d, name] = line.split(' ');
        digest = chainDigest(
          digest,
          new Uint8Array(createHash('sha512').update(entries.get(name!)!).digest()),
        );
        expect(d).toBe(digest);
        const container = await unzip(entries.get(name!)!);
        expect(container.get('mimetype')!.toString()).toBe('application/vnd.etsi.asic-e+zip');
        expect(container.get('META-INF/signatures.xml')!.toString()).toMatch(/^<sig n="\d"\/>$/);
        if (name!.startsWith('msg-1-response')) expect(container.get('attachment1')!.equals(big)).toBe(true);
        if (name!.startsWith('msg-2')) expect(container.has('attachment1')).toBe(false);
      }
      previous = digest;
    }
    expect(
      await archiveMessageLog(database.db, { dir: `${dir.path}/archive`, maxRecords: 2, now: clock.now }),
    ).toEqual([]);
  });
});
