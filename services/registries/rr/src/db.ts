import type { Kysely } from 'kysely';
import type { Migrations } from '@riik/storage';

export interface PersonsTable {
  id_code: string;
  given_name: string;
  surname: string;
  birth_date: string;
  sex: 'male' | 'female';
  address: string;
}

export interface RrDatabase {
  persons: PersonsTable;
}

export const rrMigrations: Migrations = {
  '0001_persons': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('persons')
        .addColumn('id_code', 'text', (c) => c.primaryKey())
        .addColumn('given_name', 'text', (c) => c.notNull())
        .addColumn('surname', 'text', (c) => c.notNull())
        .addColumn('birth_date', 'text', (c) => c.notNull())
        .addColumn('sex', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .execute();
    },
  },
};
