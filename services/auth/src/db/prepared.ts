import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

/** Stands in for a value while a prepared query is built; replaced by the named value at run time. */
class Placeholder {
  constructor(readonly name: string) {}
}

/** A query compiled once; run it with the values of its placeholders. */
export type PreparedQuery<P, R> = (values: P) => Promise<QueryResult<R>>;

/**
 * Build and compile a query once, with placeholders for its values, and run the compiled SQL
 * with new values each time. The login's queries are small primary-key lookups and single-row
 * writes; building and compiling one with Kysely costs about as much as SQLite takes to run it,
 * and a login runs about twenty. The SQL text stays Kysely's (so it is right for SQLite and
 * PostgreSQL alike), and @riik/storage keeps the SQLite statement prepared per SQL text.
 *
 * `build` receives an object whose every property is a placeholder of that name (typed as the
 * value it stands for); each placeholder must reach the query as a value, named one by one
 * (spreading the object throws). Constants written into the query stay as they are.
 */
export function prepareQuery<DB, P extends object, R>(
  db: Kysely<DB>,
  build: (values: P) => Compilable<R>,
): PreparedQuery<P, R> {
  const placeholders = new Proxy(
    {},
    {
      get: (_target, name) => new Placeholder(String(name)),
      ownKeys: () => {
        throw new TypeError('name the placeholders of a prepared query one by one');
      },
    },
  ) as P;
  const compiled = build(placeholders).compile();
  const slots = compiled.parameters.map((value): ((values: P) => unknown) =>
    value instanceof Placeholder ? (values) => values[value.name as keyof P] : () => value,
  );
  return (values) => {
    const parameters = slots.map((slot) => slot(values));
    const query: CompiledQuery<R> = { ...compiled, parameters };
    return db.executeQuery(query);
  };
}
