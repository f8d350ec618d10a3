import type { Migrations } from '@riik/storage';
import { columnTypes, dialectOf } from '@riik/storage';

/*
 * The security server's own database: its configuration (services, endpoints, access rights, local
 * groups), its message log (the exact signed bytes of every request and response with their
 * signatures and time-stamps) and its operational monitoring records. X-Road identifiers are stored
 * in their encoded form (`EE-DEV/GOV/70000562/rr`).
 */

export interface ServicesTable {
  provider: string;
  service_code: string;
  url: string;
  type: string;
  openapi_url: string | null;
  timeout_seconds: number;
}

export interface EndpointsTable {
  provider: string;
  service_code: string;
  method: string;
  path: string;
}

export interface AccessRightsTable {
  provider: string;
  service_code: string;
  method: string;
  path: string;
  /** Encoded client id, `GLOBALGROUP:INSTANCE/code` or `LOCALGROUP:code`. */
  subject: string;
  granted_at: number;
}

export interface LocalGroupsTable {
  code: string;
  description: string;
}

export interface LocalGroupMembersTable {
  group_code: string;
  client_id: string;
}

export interface MessageLogTable {
  id: number;
  /** X-Road-Id of the exchange. */
  message_id: string;
  /** X-Road-Request-Id: pairs a request with its response. */
  request_id: string;
  response: number;
  client: string;
  service: string;
  created_at: number;
  /** The REST header part exactly as signed (`/message.xml` of the ASiC container). */
  header_part: Uint8Array;
  /** The body inline when small; larger bodies are in message_body_chunks. */
  body: Uint8Array | null;
  body_length: number;
  signature_xml: string;
  hash_chain_result: string | null;
  hash_chain: string | null;
  /** SHA-512 of the signature XML: the input of the batch time-stamp. */
  signature_hash: Uint8Array;
  timestamp_id: number | null;
  ts_hash_chain: string | null;
  archived: number;
}

export interface MessageBodyChunksTable {
  record_id: number;
  seq: number;
  chunk: Uint8Array;
}

export interface TimestampsTable {
  id: number;
  created_at: number;
  /** DER TimeStampToken (RFC 3161 ContentInfo). */
  token: Uint8Array;
  /** The ts-hashchainresult.xml the token's imprint covers. */
  hash_chain_result: string;
  url: string;
}

export interface ArchivesTable {
  id: number;
  file_name: string;
  /** The last linking digest of the archive (hex), which the next archive starts from. */
  last_digest: string;
  created_at: number;
  records: number;
}

export interface OpmonTable {
  id: number;
  /** 'Client' (this server is the consumer's) or 'Producer' (the provider's), as X-Road names it. */
  security_server_type: string;
  request_in_ts: number;
  response_out_ts: number;
  client: string | null;
  service: string | null;
  message_id: string | null;
  request_id: string | null;
  request_size: number;
  response_size: number;
  status_code: number | null;
  succeeded: number;
  fault_code: string | null;
  fault_string: string | null;
}

export interface SecurityServerDatabase {
  services: ServicesTable;
  endpoints: EndpointsTable;
  access_rights: AccessRightsTable;
  local_groups: LocalGroupsTable;
  local_group_members: LocalGroupMembersTable;
  message_log: MessageLogTable;
  message_body_chunks: MessageBodyChunksTable;
  timestamps: TimestampsTable;
  archives: ArchivesTable;
  opmon: OpmonTable;
}

export const securityServerMigrations: Migrations = {
  '0001_security_server': {
    async up(db) {
      const t = columnTypes(dialectOf(db));
      await db.schema
        .createTable('services')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('service_code', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('openapi_url', 'text')
        .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('services_pk', ['provider', 'service_code'])
        .execute();
      await db.schema
        .createTable('endpoints')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('service_code', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('endpoints_pk', ['provider', 'service_code', 'method', 'path'])
        .execute();
      await db.schema
        .createTable('access_rights')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('service_code', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('granted_at', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('access_rights_pk', [
          'provider',
          'service_code',
          'method',
          'path',
          'subject',
        ])
        .execute();
      await db.schema
        .createTable('local_groups')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('local_group_members')
        .addColumn('group_code', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('local_group_members_pk', ['group_code', 'client_id'])
        .execute();
      await db.schema
        .createTable('message_log')
        .addColumn('id', t.int64, (c) => c.primaryKey())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('response', 'integer', (c) => c.notNull())
        .addColumn('client', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .addColumn('header_part', t.bytes, (c) => c.notNull())
        .addColumn('body', t.bytes)
        .addColumn('body_length', t.int64, (c) => c.notNull())
        .addColumn('signature_xml', 'text', (c) => c.notNull())
        .addColumn('hash_chain_result', 'text')
        .addColumn('hash_chain', 'text')
        .addColumn('signature_hash', t.bytes, (c) => c.notNull())
        .addColumn('timestamp_id', t.int64)
        .addColumn('ts_hash_chain', 'text')
        .addColumn('archived', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('message_log_pending_ts')
        .on('message_log')
        .columns(['timestamp_id', 'id'])
        .execute();
      await db.schema
        .createIndex('message_log_archived')
        .on('message_log')
        .columns(['archived', 'id'])
        .execute();
      await db.schema.createIndex('message_log_request_id').on('message_log').column('request_id').execute();
      await db.schema
        .createTable('message_body_chunks')
        .addColumn('record_id', t.int64, (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('chunk', t.bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('message_body_chunks_pk', ['record_id', 'seq'])
        .execute();
      await db.schema
        .createTable('timestamps')
        .addColumn('id', t.int64, (c) => c.primaryKey())
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .addColumn('token', t.bytes, (c) => c.notNull())
        .addColumn('hash_chain_result', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('archives')
        .addColumn('id', t.int64, (c) => c.primaryKey())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('last_digest', 'text', (c) => c.notNull())
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .addColumn('records', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('opmon')
        .addColumn('id', t.int64, (c) => c.primaryKey())
        .addColumn('security_server_type', 'text', (c) => c.notNull())
        .addColumn('request_in_ts', t.int64, (c) => c.notNull())
        .addColumn('response_out_ts', t.int64, (c) => c.notNull())
        .addColumn('client', 'text')
        .addColumn('service', 'text')
        .addColumn('message_id', 'text')
        .addColumn('request_id', 'text')
        .addColumn('request_size', t.int64, (c) => c.notNull())
        .addColumn('response_size', t.int64, (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('succeeded', 'integer', (c) => c.notNull())
        .addColumn('fault_code', 'text')
        .addColumn('fault_string', 'text')
        .execute();
      await db.schema.createIndex('opmon_time').on('opmon').column('request_in_ts').execute();
    },
  },
};
