import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkIdCode } from '@riik/core';
import {
  createHttpService,
  createLogger,
  HttpProblem,
  sendBytes,
  sendJson,
  type HttpService,
  type Logger,
} from '@riik/http';
import { migrateToLatest, openDatabase, type Database } from '@riik/storage';
import { rrMigrations, type RrDatabase } from './db.js';
import { syntheticResidents } from './seed.js';

export function rrDatabasePath(dataDir: string): string {
  return join(dataDir, 'registries', 'rr', 'rr.db');
}

/** Create the population register's database with its synthetic residents (idempotent). */
export async function initRr(
  dataDir: string,
  options: { databaseUrl?: string; count?: number } = {},
): Promise<void> {
  const url = options.databaseUrl ?? rrDatabasePath(dataDir);
  const fresh = options.databaseUrl !== undefined || !existsSync(url);
  const database = await openDatabase<RrDatabase>({ url });
  try {
    await migrateToLatest(database, rrMigrations, 'rr');
    if (!fresh) return;
    const people = syntheticResidents(options.count ?? 1000);
    await database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < people.length; i += 200)
        await trx
          .insertInto('persons')
          .values(people.slice(i, i + 200))
          .onConflict((oc) => oc.doNothing())
          .execute();
    });
  } finally {
    await database.close();
  }
}

/** The OpenAPI 3 description of the persons service, with the service's own base URL. */
export function personsOpenApi(baseUrl: string): string {
  return `openapi: 3.0.3
info:
  title: Population Register — persons
  version: 1.0.0
  description: Residents of the population register (synthetic demo data), by personal identification code.
servers:
  - url: ${baseUrl}/persons
paths:
  /{idCode}:
    get:
      operationId: getPerson
      summary: A resident by personal identification code
      parameters:
        - name: idCode
          in: path
          required: true
          schema:
            type: string
            pattern: '^[1-8][0-9]{10}$'
      responses:
        '200':
          description: The resident
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Person'
        '400':
          description: Not a valid identification code
        '404':
          description: No such resident
components:
  schemas:
    Person:
      type: object
      required: [idCode, givenName, surname, birthDate, sex, address]
      properties:
        idCode: { type: string }
        givenName: { type: string }
        surname: { type: string }
        birthDate: { type: string, format: date }
        sex: { type: string, enum: [male, female] }
        address: { type: string }
`;
}

export interface StartRrOptions {
  dataDir: string;
  port: number;
  host?: string;
  log?: Logger;
  databaseUrl?: string;
  /** The URL the service is reached at (for its OpenAPI description). */
  publicUrl?: string;
}

export interface RunningRr {
  http: HttpService;
  url: string;
  close(): Promise<void>;
}

/**
 * The population register's own information system: its database and the REST service the
 * register provides over X-Road — `GET /persons/{idCode}` — with its OpenAPI description at
 * `/openapi.yaml`. It is called only by its security server.
 */
export async function startRr(options: StartRrOptions): Promise<RunningRr> {
  const log = options.log ?? createLogger('rr');
  await initRr(options.dataDir, options.databaseUrl ? { databaseUrl: options.databaseUrl } : {});
  const database: Database<RrDatabase> = await openDatabase<RrDatabase>({
    url: options.databaseUrl ?? rrDatabasePath(options.dataDir),
  });
  let baseUrl = options.publicUrl ?? '';
  const http = createHttpService({
    name: 'rr',
    log,
    routes: [
      {
        method: 'GET',
        path: '/persons/:idCode',
        name: 'person',
        handler: async ({ res, params }) => {
          const check = checkIdCode(params.idCode ?? '');
          if (!check.valid) throw new HttpProblem(400, 'INVALID_ID_CODE', check.reason);
          const p = await database.db
            .selectFrom('persons')
            .selectAll()
            .where('id_code', '=', check.idCode.code)
            .executeTakeFirst();
          if (!p) throw new HttpProblem(404, 'NOT_FOUND', 'no resident with this identification code');
          sendJson(res, 200, {
            idCode: p.id_code,
            givenName: p.given_name,
            surname: p.surname,
            birthDate: p.birth_date,
            sex: p.sex,
            address: p.address,
          });
        },
      },
      {
        method: 'GET',
        path: '/openapi.yaml',
        handler: ({ res }) =>
          sendBytes(res, 200, 'application/yaml; charset=utf-8', Buffer.from(personsOpenApi(baseUrl))),
      },
    ],
    health: async () => ({
      ok: true,
      residents: Number(
        (
          await database.db
            .selectFrom('persons')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      ),
    }),
  });
  const address = await http.listen(options.port, options.host);
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  baseUrl ||= url;
  log.info({ url }, 'population register listening');
  return {
    http,
    url,
    close: async () => {
      await http.close();
      await database.close();
    },
  };
}
