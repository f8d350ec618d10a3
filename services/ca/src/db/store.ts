import type { Kysely } from 'kysely';
import { type Certificate, type RevocationReason } from '@riik/pki';
import { asBytes, isUniqueViolation, migrateToLatest, openDatabase, type Database } from '@riik/storage';
import { CaError } from '../errors.js';
import { caMigrations, type CaDatabase, type CertificateState, type CertificatesTable } from './schema.js';

export interface CertificateRecord {
  serial: string;
  issuer: string;
  profile: string;
  subject: string;
  idCode: string | null;
  notBefore: Date;
  notAfter: Date;
  state: CertificateState;
  revokedAt: Date | null;
  reason: RevocationReason | null;
  der: Uint8Array;
  issuedAt: Date;
}

/** The status fields an OCSP answer needs, nothing more (the hot path reads only these). */
export interface StatusRecord {
  issuer: string;
  state: CertificateState;
  revokedAt: number | null;
  reason: RevocationReason | null;
}

function toRecord(row: CertificatesTable): CertificateRecord {
  return {
    serial: row.serial,
    issuer: row.issuer,
    profile: row.profile,
    subject: row.subject,
    idCode: row.id_code,
    notBefore: new Date(row.not_before),
    notAfter: new Date(row.not_after),
    state: row.state,
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    reason: row.reason as RevocationReason | null,
    der: asBytes(row.der),
    issuedAt: new Date(row.issued_at),
  };
}

/** The CA's record of every certificate it issued, and of their suspensions and revocations. */
export class CertificateStore {
  private constructor(
    private readonly database: Database<CaDatabase>,
    private readonly db: Kysely<CaDatabase>,
  ) {}

  /** Open (and migrate) the store: SQLite file by default, PostgreSQL for postgres:// URLs. */
  static async open(url: string, schema?: string): Promise<CertificateStore> {
    const database = await openDatabase<CaDatabase>({ url, ...(schema ? { schema } : {}) });
    await migrateToLatest(database, caMigrations, 'ca');
    return new CertificateStore(database, database.db);
  }

  close(): Promise<void> {
    return this.database.close();
  }

  async insert(
    cert: Certificate,
    meta: { issuer: string; profile: string; idCode?: string },
    now: Date,
  ): Promise<void> {
    try {
      await this.db
        .insertInto('certificates')
        .values({
          serial: cert.serialHex,
          issuer: meta.issuer,
          profile: meta.profile,
          subject: cert.subjectString,
          id_code: meta.idCode ?? null,
          not_before: cert.notBefore.getTime(),
          not_after: cert.notAfter.getTime(),
          state: 'good',
          revoked_at: null,
          reason: null,
          der: cert.der,
          issued_at: now.getTime(),
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new CaError('BAD_TRANSITION', `serial ${cert.serialHex} already issued`, { cause: err });
      throw err;
    }
  }

  /** Insert many in one transaction (bulk issuance and benchmarks). */
  async insertMany(
    rows: Array<{ cert: Certificate; issuer: string; profile: string; idCode?: string }>,
    now: Date,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto('certificates')
          .values(
            rows.slice(i, i + 500).map(({ cert, issuer, profile, idCode }) => ({
              serial: cert.serialHex,
              issuer,
              profile,
              subject: cert.subjectString,
              id_code: idCode ?? null,
              not_before: cert.notBefore.getTime(),
              not_after: cert.notAfter.getTime(),
              state: 'good' as const,
              revoked_at: null,
              reason: null,
              der: cert.der,
              issued_at: now.getTime(),
            })),
          )
          .execute();
      }
    });
  }

  async get(serial: string): Promise<CertificateRecord | undefined> {
    const row = await this.db
      .selectFrom('certificates')
      .selectAll()
      .where('serial', '=', serial)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Status by serial: one primary-key lookup, constant time in the number of certificates. */
  async status(serial: string): Promise<StatusRecord | undefined> {
    const row = await this.db
      .selectFrom('certificates')
      .select(['issuer', 'state', 'revoked_at', 'reason'])
      .where('serial', '=', serial)
      .executeTakeFirst();
    return row
      ? {
          issuer: row.issuer,
          state: row.state,
          revokedAt: row.revoked_at,
          reason: row.reason as RevocationReason | null,
        }
      : undefined;
  }

  async findByIdCode(idCode: string): Promise<CertificateRecord[]> {
    const rows = await this.db
      .selectFrom('certificates')
      .selectAll()
      .where('id_code', '=', idCode)
      .orderBy('issued_at')
      .execute();
    return rows.map(toRecord);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('certificates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Move a certificate between states. Allowed: good → hold (suspend), hold → good (resume),
   * good|hold → revoked. Revocation is final (RFC 5280 §3.3: only certificateHold is reversible).
   */
  async transition(
    serial: string,
    to: CertificateState,
    reason: RevocationReason | null,
    at: Date,
  ): Promise<CertificateRecord> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('certificates')
        .selectAll()
        .where('serial', '=', serial)
        .executeTakeFirst();
      if (!row) throw new CaError('NOT_FOUND', `no certificate with serial ${serial}`);
      if (row.state === 'revoked')
        throw new CaError('ALREADY_REVOKED', `certificate ${serial} is revoked; revocation is final`);
      if (to === 'good' && row.state !== 'hold')
        throw new CaError('NOT_SUSPENDED', `certificate ${serial} is not suspended`);
      if (to === 'hold' && row.state === 'hold')
        throw new CaError('BAD_TRANSITION', `certificate ${serial} is already suspended`);
      const update =
        to === 'good'
          ? { state: to, revoked_at: null, reason: null }
          : {
              state: to,
              revoked_at: at.getTime(),
              reason: to === 'hold' ? 'certificateHold' : (reason ?? 'unspecified'),
            };
      await trx.updateTable('certificates').set(update).where('serial', '=', serial).execute();
      return toRecord({ ...row, ...update });
    });
  }

  /** Suspended and revoked certificates of one issuer, for its CRL. */
  async revokedOf(
    issuer: string,
  ): Promise<Array<{ serial: string; revokedAt: Date; reason: RevocationReason }>> {
    const rows = await this.db
      .selectFrom('certificates')
      .select(['serial', 'revoked_at', 'reason'])
      .where('issuer', '=', issuer)
      .where('state', 'in', ['hold', 'revoked'])
      .execute();
    return rows.map((r) => ({
      serial: r.serial,
      revokedAt: new Date(r.revoked_at!),
      reason: r.reason as RevocationReason,
    }));
  }

  async saveCrl(
    issuer: string,
    crl: { number: number; thisUpdate: Date; nextUpdate: Date; der: Uint8Array },
  ): Promise<void> {
    const values = {
      issuer,
      crl_number: crl.number,
      this_update: crl.thisUpdate.getTime(),
      next_update: crl.nextUpdate.getTime(),
      der: crl.der,
    };
    await this.db
      .insertInto('crls')
      .values(values)
      .onConflict((oc) => oc.column('issuer').doUpdateSet(values))
      .execute();
  }

  async lastCrl(issuer: string): Promise<{ number: number; nextUpdate: Date; der: Uint8Array } | undefined> {
    const row = await this.db.selectFrom('crls').selectAll().where('issuer', '=', issuer).executeTakeFirst();
    return row
      ? { number: row.crl_number, nextUpdate: new Date(row.next_update), der: asBytes(row.der) }
      : undefined;
  }
}
