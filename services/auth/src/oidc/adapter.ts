import type { Kysely } from 'kysely';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { AuthDatabase } from '../db/schema.js';

/**
 * oidc-provider's storage adapter on Kysely (SQLite or PostgreSQL): every model in one table
 * keyed by (model, id), with the secondary keys the provider looks things up by. Expired rows
 * are invisible at once and swept by `sweepExpired`.
 */
export function kyselyAdapterFactory(db: Kysely<AuthDatabase>, now: () => Date = () => new Date()) {
  return (model: string): Adapter => new KyselyAdapter(db, model, now);
}

export class KyselyAdapter implements Adapter {
  constructor(
    private readonly db: Kysely<AuthDatabase>,
    private readonly model: string,
    private readonly now: () => Date,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const row = {
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      expires_at: expiresIn ? this.now().getTime() + expiresIn * 1000 : null,
    };
    await this.db
      .insertInto('oidc_payloads')
      .values({ model: this.model, id, consumed_at: null, ...row })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
      .execute();
  }

  private async findWhere(
    column: 'id' | 'uid' | 'user_code',
    value: string,
  ): Promise<AdapterPayload | undefined> {
    const row = await this.db
      .selectFrom('oidc_payloads')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.now().getTime()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    // The provider refuses a consumed code (and revokes what it issued: RFC 6749 §4.1.2).
    return row.consumed_at !== null ? { ...payload, consumed: Math.floor(row.consumed_at / 1000) } : payload;
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('id', id);
  }
  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('uid', uid);
  }
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('user_code', userCode);
  }

  /**
   * Mark a code used. Conditional on "not yet used", so of two concurrent token requests with
   * the same code exactly one wins; the other gets invalid_grant.
   */
  async consume(id: string): Promise<void> {
    const result = await this.db
      .updateTable('oidc_payloads')
      .set({ consumed_at: this.now().getTime() })
      .where('model', '=', this.model)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new errors.InvalidGrant('authorization code already used');
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
  }
}

/** Delete rows past their expiry (run periodically). */
export async function sweepExpired(db: Kysely<AuthDatabase>, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('oidc_payloads')
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', now.getTime())
    .executeTakeFirst();
  await db.deleteFrom('login_challenges').where('expires_at', '<=', now.getTime()).execute();
  await db.deleteFrom('login_mobile').where('expires_at', '<=', now.getTime()).execute();
  return Number(result.numDeletedRows);
}
