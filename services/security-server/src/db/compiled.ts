import type { CompiledQuery, Insertable, Kysely } from 'kysely';
import { prepareQuery } from '@riik/storage';
import type { SecurityServerDatabase } from './schema.js';

type Tables = SecurityServerDatabase;

/**
 * A single-row INSERT into `table` of all `columns`, compiled once (@riik/storage prepareQuery):
 * the message path writes three rows per exchange on each security server (request and response
 * records, operational monitoring), and hands them to the group writer as compiled queries.
 */
export function compiledInsert<T extends keyof Tables>(
  db: Kysely<Tables>,
  table: T,
  columns: ReadonlyArray<keyof Insertable<Tables[T]> & string>,
): (row: Insertable<Tables[T]>) => CompiledQuery {
  const insert = prepareQuery(db, (row: Insertable<Tables[T]>) =>
    db
      .insertInto(table)
      .values(Object.fromEntries(columns.map((c) => [c, row[c]])) as unknown as Insertable<Tables[T]>),
  );
  return (row) => insert.compiled(row);
}
