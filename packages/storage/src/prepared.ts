import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

/** Stands in for a value while a prepared query is built; replaced by the named value at run time. */
class Placeholder {
  constructor(readonly name: string) {}
}

/**
 * A query compiled once: call it to run it with the values of its placeholders, or take
 * `compiled(values)` to hand the query to something that runs it later (a group commit).
 */
export interface PreparedQuery<P, R> {
  (values: P): Promise<QueryResult<R>>;
  compiled(values: P): CompiledQuery<R>;
}

/**
 * Build and compile a query once, with placeholders for its values, and run the compiled SQL
 * with new values each time. Hot paths (a login's twenty lookups, a security server's message log
 * records) run small primary-key lookups and single-row writes, for which building and compiling
 * the query with Kysely (~40 µs) costs about as much as SQLite takes to run it. The SQL text stays
 * Kysely's (so it is right for SQLite and PostgreSQL alike), and the SQLite statement stays
 * prepared per SQL text (open.ts).
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
  const withValues = (values: P): CompiledQuery<R> => ({
    ...compiled,
    parameters: slots.map((slot) => slot(values)),
  });
  return Object.assign((values: P) => db.executeQuery(withValues(values)), { compiled: withValues });
}
