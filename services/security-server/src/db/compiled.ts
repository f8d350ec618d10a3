import { CompiledQuery, type Compilable, type Insertable, type Kysely } from 'kysely';
import type { SecurityServerDatabase } from './schema.js';

type Tables = SecurityServerDatabase;

/**
 * A query whose SQL is compiled once. Kysely builds and compiles a query tree for every execution
 * (~40 µs), as much as SQLite's own work for a small row, and the message path writes three rows per
 * exchange on each security server (request and response records, operational monitoring). The SQL
 * text is Kysely's, for the database's dialect; only the parameters change from one run to the next.
 * `build` gets a placeholder for each named value; every parameter of the query must be one of them.
 */
export function compileOnce<N extends string>(
  names: readonly N[],
  build: (value: (name: N) => string) => Compilable,
): (values: Readonly<Record<N, unknown>>) => CompiledQuery {
  // Each name is compiled as a distinct marker string, whose place among the parameters is then known.
  const marker = (name: string) => `\u0000riik-value:${name}`;
  const compiled = build(marker).compile();
  const order = compiled.parameters.map((p) => names.find((n) => marker(n) === p));
  if (order.some((n) => n === undefined) || new Set(order).size !== names.length)
    throw new Error(`cannot compile ${compiled.sql}`);
  const sql = compiled.sql;
  return (values) =>
    CompiledQuery.raw(
      sql,
      order.map((n) => values[n!] ?? null),
    );
}

/** A compiled single-row INSERT into `table` of all `columns`. */
export function compiledInsert<T extends keyof Tables>(
  db: Kysely<Tables>,
  table: T,
  columns: ReadonlyArray<keyof Insertable<Tables[T]> & string>,
): (row: Insertable<Tables[T]>) => CompiledQuery {
  const run = compileOnce(columns, (value) =>
    db
      .insertInto(table)
      // The markers stand in for values of every column type; only the SQL text and order are kept.
      .values(Object.fromEntries(columns.map((c) => [c, value(c)])) as unknown as Insertable<Tables[T]>),
  );
  return (row) => run(row);
}
