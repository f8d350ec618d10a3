import type { Kysely } from 'kysely';
import type { AuthDatabase, PeopleTable } from '../db/schema.js';
import { prepareQuery } from '@riik/storage';

/** The queries on every login's path, compiled once (see prepareQuery). */
export function loginQueries(db: Kysely<AuthDatabase>) {
  return {
    /**
     * The person's claims for the ID token. Written only when they differ from what is stored:
     * a person logging in again with the same document changes nothing.
     */
    storePerson: prepareQuery(db, (v: PeopleTable) =>
      db
        .insertInto('people')
        .values({
          sub: v.sub,
          given_name: v.given_name,
          family_name: v.family_name,
          date_of_birth: v.date_of_birth,
          document_type: v.document_type,
          updated_at: v.updated_at,
        })
        .onConflict((oc) =>
          oc
            .column('sub')
            .doUpdateSet((eb) => ({
              given_name: eb.ref('excluded.given_name'),
              family_name: eb.ref('excluded.family_name'),
              date_of_birth: eb.ref('excluded.date_of_birth'),
              document_type: eb.ref('excluded.document_type'),
              updated_at: eb.ref('excluded.updated_at'),
            }))
            .where((eb) =>
              eb.or([
                eb('people.given_name', 'is distinct from', eb.ref('excluded.given_name')),
                eb('people.family_name', 'is distinct from', eb.ref('excluded.family_name')),
                eb('people.date_of_birth', 'is distinct from', eb.ref('excluded.date_of_birth')),
                eb('people.document_type', 'is distinct from', eb.ref('excluded.document_type')),
              ]),
            ),
        ),
    ),
    /** A new challenge for a login replaces the one before. */
    storeChallenge: prepareQuery(db, (v: { uid: string; nonce: string; expires_at: number }) =>
      db
        .insertInto('login_challenges')
        .values({ uid: v.uid, nonce: v.nonce, expires_at: v.expires_at })
        .onConflict((oc) =>
          oc.column('uid').doUpdateSet((eb) => ({
            nonce: eb.ref('excluded.nonce'),
            expires_at: eb.ref('excluded.expires_at'),
          })),
        ),
    ),
    /** Read and delete a login's challenge in one statement: single use, whatever follows. */
    takeChallenge: prepareQuery(db, (v: { uid: string }) =>
      db.deleteFrom('login_challenges').where('uid', '=', v.uid).returning(['nonce', 'expires_at']),
    ),
    pendingMobile: prepareQuery(db, (v: { uid: string }) =>
      db.selectFrom('login_mobile').selectAll().where('uid', '=', v.uid),
    ),
  };
}

export type LoginQueries = ReturnType<typeof loginQueries>;
