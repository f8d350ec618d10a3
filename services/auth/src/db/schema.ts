import { columnTypes, dialectOf, type Migrations } from '@riik/storage';

/** Everything oidc-provider persists (sessions, interactions, codes, tokens, grants), one row each. */
export interface OidcPayloadsTable {
  model: string;
  id: string;
  /** The provider's payload as JSON text. */
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  /** When a single-use artefact (authorization code) was used. */
  consumed_at: number | null;
}

/** The people who logged in, for the provider's claims (stored at every login that changes them). */
export interface PeopleTable {
  sub: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  document_type: string | null;
  /** When the claims were last written (a login with the same claims writes nothing). */
  updated_at: number;
}

/** The ID-card challenge of a login (one per interaction, single use). */
export interface LoginChallengesTable {
  uid: string;
  nonce: string;
  expires_at: number;
}

/** A Mobile-ID / Smart-ID login waiting for the person's phone. */
export interface LoginMobileTable {
  uid: string;
  method: string;
  sk_session: string;
  id_code: string;
  hash: Uint8Array;
  verification_code: string;
  expires_at: number;
}

/** SK simulation: the phone apps registered for Mobile-ID / Smart-ID. */
export interface SkDevicesTable {
  id: string;
  kind: string;
  id_code: string;
  phone_number: string | null;
  certificate: Uint8Array;
  secret_hash: string;
  created_at: number;
}

/** SK simulation: relying parties' authentication sessions. */
export interface SkSessionsTable {
  id: string;
  kind: string;
  device_id: string | null;
  rp_name: string;
  display_text: string | null;
  hash: Uint8Array;
  hash_type: string;
  state: string;
  result: string | null;
  signature: Uint8Array | null;
  created_at: number;
  expires_at: number;
}

export interface AuthDatabase {
  oidc_payloads: OidcPayloadsTable;
  people: PeopleTable;
  login_challenges: LoginChallengesTable;
  login_mobile: LoginMobileTable;
  sk_devices: SkDevicesTable;
  sk_sessions: SkSessionsTable;
}

export const authMigrations: Migrations = {
  '0001_auth': {
    async up(db) {
      const t = columnTypes(dialectOf(db));
      await db.schema
        .createTable('oidc_payloads')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'text')
        .addColumn('user_code', 'text')
        .addColumn('uid', 'text')
        .addColumn('expires_at', t.int64)
        .addColumn('consumed_at', t.int64)
        .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
        .execute();
      await db.schema.createIndex('oidc_payloads_grant').on('oidc_payloads').column('grant_id').execute();
      await db.schema
        .createIndex('oidc_payloads_uid')
        .on('oidc_payloads')
        .columns(['model', 'uid'])
        .execute();
      await db.schema.createIndex('oidc_payloads_expires').on('oidc_payloads').column('expires_at').execute();
      await db.schema
        .createTable('people')
        .addColumn('sub', 'text', (c) => c.primaryKey())
        .addColumn('given_name', 'text', (c) => c.notNull())
        .addColumn('family_name', 'text', (c) => c.notNull())
        .addColumn('date_of_birth', 'text')
        .addColumn('document_type', 'text')
        .addColumn('updated_at', t.int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('login_challenges')
        .addColumn('uid', 'text', (c) => c.primaryKey())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('expires_at', t.int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('login_mobile')
        .addColumn('uid', 'text', (c) => c.primaryKey())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('sk_session', 'text', (c) => c.notNull())
        .addColumn('id_code', 'text', (c) => c.notNull())
        .addColumn('hash', t.bytes, (c) => c.notNull())
        .addColumn('verification_code', 'text', (c) => c.notNull())
        .addColumn('expires_at', t.int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sk_devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('id_code', 'text', (c) => c.notNull())
        .addColumn('phone_number', 'text')
        .addColumn('certificate', t.bytes, (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .addUniqueConstraint('sk_devices_person', ['kind', 'id_code'])
        .execute();
      await db.schema
        .createTable('sk_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('rp_name', 'text', (c) => c.notNull())
        .addColumn('display_text', 'text')
        .addColumn('hash', t.bytes, (c) => c.notNull())
        .addColumn('hash_type', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('result', 'text')
        .addColumn('signature', t.bytes)
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .addColumn('expires_at', t.int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sk_sessions_device')
        .on('sk_sessions')
        .columns(['device_id', 'state'])
        .execute();
    },
  },
  '0002_oidc_payloads_partial_indexes': {
    // Only authorization codes and tokens carry a grant, and only sessions a uid: partial
    // indexes leave the other rows out, so most of a login's writes touch one index page less.
    async up(db) {
      await db.schema.dropIndex('oidc_payloads_grant').execute();
      await db.schema
        .createIndex('oidc_payloads_grant')
        .on('oidc_payloads')
        .column('grant_id')
        .where('grant_id', 'is not', null)
        .execute();
      await db.schema.dropIndex('oidc_payloads_uid').execute();
      await db.schema
        .createIndex('oidc_payloads_uid')
        .on('oidc_payloads')
        .columns(['model', 'uid'])
        .where('uid', 'is not', null)
        .execute();
    },
  },
};
