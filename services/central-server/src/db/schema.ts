import type { Migrations } from '@riik/storage';
import { columnTypes, dialectOf } from '@riik/storage';

/*
 * The central server's registry. X-Road identifiers are stored in their encoded header form
 * (`EE-DEV/GOV/70000562/rr`), which is unique per identifier and readable in a database shell.
 */

export interface MemberClassesTable {
  code: string;
  description: string;
}

export interface MembersTable {
  /** Encoded member identifier (instance/class/code). */
  id: string;
  member_class: string;
  member_code: string;
  name: string;
}

export interface SubsystemsTable {
  id: string;
  member_id: string;
  subsystem_code: string;
}

export interface SecurityServersTable {
  /** Encoded SecurityServerId (instance/class/code/server). */
  id: string;
  owner_id: string;
  server_code: string;
  address: string | null;
}

export interface AuthCertsTable {
  /** SHA-256 of the DER, hex. */
  hash: string;
  server_id: string;
  der: Uint8Array;
  registered_at: number;
}

export interface ServerClientsTable {
  server_id: string;
  client_id: string;
}

export interface GlobalGroupsTable {
  code: string;
  description: string;
}

export interface GlobalGroupMembersTable {
  group_code: string;
  client_id: string;
}

export interface ApprovedCasTable {
  name: string;
  authentication_only: number;
  /** JSON: { top: CaInfoJson, intermediates: CaInfoJson[], profile: string } with base64 DER. */
  info: string;
}

export interface ApprovedTsasTable {
  name: string;
  url: string;
  cert: Uint8Array;
}

export type RequestType = 'auth-cert-reg' | 'client-reg';
export type RequestStatus = 'submitted' | 'approved' | 'rejected';

export interface RequestsTable {
  id: number;
  type: RequestType;
  status: RequestStatus;
  server_id: string;
  client_id: string | null;
  address: string | null;
  cert: Uint8Array | null;
  created_at: number;
  decided_at: number | null;
  comment: string | null;
}

export interface CentralDatabase {
  member_classes: MemberClassesTable;
  members: MembersTable;
  subsystems: SubsystemsTable;
  security_servers: SecurityServersTable;
  auth_certs: AuthCertsTable;
  server_clients: ServerClientsTable;
  global_groups: GlobalGroupsTable;
  global_group_members: GlobalGroupMembersTable;
  approved_cas: ApprovedCasTable;
  approved_tsas: ApprovedTsasTable;
  requests: RequestsTable;
}

export const centralMigrations: Migrations = {
  '0001_registry': {
    async up(db) {
      const t = columnTypes(dialectOf(db));
      await db.schema
        .createTable('member_classes')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('members')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('member_class', 'text', (c) => c.notNull().references('member_classes.code'))
        .addColumn('member_code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('subsystems')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('subsystem_code', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('security_servers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'text', (c) => c.notNull().references('members.id'))
        .addColumn('server_code', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .execute();
      await db.schema
        .createTable('auth_certs')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('server_id', 'text', (c) => c.notNull().references('security_servers.id'))
        .addColumn('der', t.bytes, (c) => c.notNull())
        .addColumn('registered_at', t.int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('server_clients')
        .addColumn('server_id', 'text', (c) => c.notNull().references('security_servers.id'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('server_clients_pk', ['server_id', 'client_id'])
        .execute();
      await db.schema
        .createTable('global_groups')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('global_group_members')
        .addColumn('group_code', 'text', (c) => c.notNull().references('global_groups.code'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('global_group_members_pk', ['group_code', 'client_id'])
        .execute();
      await db.schema
        .createTable('approved_cas')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('authentication_only', 'integer', (c) => c.notNull())
        .addColumn('info', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('approved_tsas')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('cert', t.bytes, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('requests')
        .addColumn('id', t.int64, (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('server_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('address', 'text')
        .addColumn('cert', t.bytes)
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .addColumn('decided_at', t.int64)
        .addColumn('comment', 'text')
        .execute();
    },
  },
};
