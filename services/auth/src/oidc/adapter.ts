import type { Kysely } from 'kysely';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { AuthDatabase, OidcPayloadsTable } from '../db/schema.js';
import { prepareQuery } from '@riik/storage';

/**
 * oidc-provider's storage adapter on Kysely (SQLite or PostgreSQL): every model in one table
 * keyed by (model, id), with the secondary keys the provider looks things up by. Expired rows
 * are invisible at once and swept by `sweepExpired`.
 */
export function kyselyAdapterFactory(db: Kysely<AuthDatabase>, now: () => Date = () => new Date()) {
  return (model: string): Adapter => new KyselyAdapter(db, model, now);
}

interface Row {
  payload: string;
  expires_at: number | null;
  consumed_at: number | null;
}

/** The adapter's queries, compiled once per database (a login runs a dozen of them). */
function compileQueries(db: Kysely<AuthDatabase>) {
  const findBy = (column: 'id' | 'uid' | 'user_code') =>
    prepareQuery(db, (v: { model: string; key: string }) =>
      db
        .selectFrom('oidc_payloads')
        .select(['payload', 'expires_at', 'consumed_at'])
        .where('model', '=', v.model)
        .where(column, '=', v.key),
    );
  return {
    upsert: prepareQuery(db, (v: Omit<OidcPayloadsTable, 'consumed_at'>) =>
      db
        .insertInto('oidc_payloads')
        .values({
          model: v.model,
          id: v.id,
          payload: v.payload,
          grant_id: v.grant_id,
          user_code: v.user_code,
          uid: v.uid,
          expires_at: v.expires_at,
          consumed_at: null,
        })
        .onConflict((oc) =>
          oc.columns(['model', 'id']).doUpdateSet((eb) => ({
            payload: eb.ref('excluded.payload'),
            grant_id: eb.ref('excluded.grant_id'),
            user_code: eb.ref('excluded.user_code'),
            uid: eb.ref('excluded.uid'),
            expires_at: eb.ref('excluded.expires_at'),
          })),
        ),
    ),
    findById: findBy('id'),
    findByUid: findBy('uid'),
    findByUserCode: findBy('user_code'),
    consume: prepareQuery(db, (v: { model: string; id: string; at: number }) =>
      db
        .updateTable('oidc_payloads')
        .set({ consumed_at: v.at })
        .where('model', '=', v.model)
        .where('id', '=', v.id)
        .where('consumed_at', 'is', null),
    ),
    destroy: prepareQuery(db, (v: { model: string; id: string }) =>
      db.deleteFrom('oidc_payloads').where('model', '=', v.model).where('id', '=', v.id),
    ),
    revokeByGrantId: prepareQuery(db, (v: { grantId: string }) =>
      db.deleteFrom('oidc_payloads').where('grant_id', '=', v.grantId),
    ),
  };
}

const compiledFor = new WeakMap<Kysely<AuthDatabase>, ReturnType<typeof compileQueries>>();

export class KyselyAdapter implements Adapter {
  private readonly q: ReturnType<typeof compileQueries>;

  constructor(
    db: Kysely<AuthDatabase>,
    private readonly model: string,
    private readonly now: () => Date,
  ) {
    let q = compiledFor.get(db);
    if (!q) compiledFor.set(db, (q = compileQueries(db)));
    this.q = q;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await this.q.upsert({
      model: this.model,
      id,
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      expires_at: expiresIn ? this.now().getTime() + expiresIn * 1000 : null,
    });
  }

  private payloadOf(row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.now().getTime()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    // The provider refuses a consumed code (and revokes what it issued: RFC 6749 §4.1.2).
    return row.consumed_at !== null ? { ...payload, consumed: Math.floor(row.consumed_at / 1000) } : payload;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.payloadOf((await this.q.findById({ model: this.model, key: id })).rows[0]);
  }
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.payloadOf((await this.q.findByUid({ model: this.model, key: uid })).rows[0]);
  }
  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.payloadOf((await this.q.findByUserCode({ model: this.model, key: userCode })).rows[0]);
  }

  /**
   * Mark a code used. Conditional on "not yet used", so of two concurrent token requests with
   * the same code exactly one wins; the other gets invalid_grant.
   */
  async consume(id: string): Promise<void> {
    const result = await this.q.consume({ model: this.model, id, at: this.now().getTime() });
    if (Number(result.numAffectedRows) !== 1)
      throw new errors.InvalidGrant('authorization code already used');
  }

  async destroy(id: string): Promise<void> {
    await this.q.destroy({ model: this.model, id });
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.q.revokeByGrantId({ grantId });
  }
}

/**
 * About how many rows one sweeping statement deletes. A busy service expires a minute's codes
 * and tokens at each sweep (tens of thousands of rows: a tenth of a second or more in one
 * statement); in batches, requests wait at most for one batch (a few milliseconds).
 */
export const SWEEP_BATCH = 500;

/** Delete rows past their expiry (run periodically), in batches that let requests through. */
export async function sweepExpired(db: Kysely<AuthDatabase>, now: Date): Promise<number> {
  const at = now.getTime();
  let swept = 0;
  for (;;) {
    // the oldest SWEEP_BATCH expiries (more when several rows share the last one), along the
    // expiry index
    const result = await db
      .deleteFrom('oidc_payloads')
      .where('expires_at', '<=', at)
      .where('expires_at', '<=', (eb) =>
        eb.fn.coalesce(
          eb
            .selectFrom('oidc_payloads')
            .select('expires_at')
            .where('expires_at', 'is not', null)
            .orderBy('expires_at')
            .limit(1)
            .offset(SWEEP_BATCH - 1),
          eb.val(at),
        ),
      )
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    swept += deleted;
    if (deleted < SWEEP_BATCH) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await db.deleteFrom('login_challenges').where('expires_at', '<=', at).execute();
  await db.deleteFrom('login_mobile').where('expires_at', '<=', at).execute();
  return swept;
}
