import type { Migrations } from '@riik/storage';
import { columnTypes, dialectOf } from '@riik/storage';

/** Certificate status as the CA records it; `hold` is a suspension (CRLReason certificateHold). */
export type CertificateState = 'good' | 'hold' | 'revoked';

export interface CertificatesTable {
  /** Serial as lowercase hex of the DER INTEGER content; random 128-bit, unique across issuers. */
  serial: string;
  issuer: string;
  profile: string;
  subject: string;
  /** Identification code for person certificates (lookup by person). */
  id_code: string | null;
  not_before: number;
  not_after: number;
  state: CertificateState;
  /** Epoch ms of the suspension or revocation. */
  revoked_at: number | null;
  reason: string | null;
  der: Uint8Array;
  issued_at: number;
}

export interface CrlsTable {
  issuer: string;
  crl_number: number;
  this_update: number;
  next_update: number;
  der: Uint8Array;
}

export interface CaDatabase {
  certificates: CertificatesTable;
  crls: CrlsTable;
}

export const caMigrations: Migrations = {
  '0001_certificates': {
    async up(db) {
      const t = columnTypes(dialectOf(db));
      await db.schema
        .createTable('certificates')
        .addColumn('serial', 'text', (c) => c.primaryKey())
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('id_code', 'text')
        .addColumn('not_before', t.int64, (c) => c.notNull())
        .addColumn('not_after', t.int64, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('revoked_at', t.int64)
        .addColumn('reason', 'text')
        .addColumn('der', t.bytes, (c) => c.notNull())
        .addColumn('issued_at', t.int64, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('certificates_id_code').on('certificates').column('id_code').execute();
      // The CRL lists only revoked and held certificates; a partial index keeps that scan small.
      await db.schema
        .createIndex('certificates_issuer_state')
        .on('certificates')
        .columns(['issuer', 'state'])
        .execute();
      await db.schema
        .createTable('crls')
        .addColumn('issuer', 'text', (c) => c.primaryKey())
        .addColumn('crl_number', t.int64, (c) => c.notNull())
        .addColumn('this_update', t.int64, (c) => c.notNull())
        .addColumn('next_update', t.int64, (c) => c.notNull())
        .addColumn('der', t.bytes, (c) => c.notNull())
        .execute();
    },
  },
};
