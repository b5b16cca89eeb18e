/** Accounts, their users, the server's own secrets and the JWT signing keys (SQL). */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../core/ports.js';
import { toAccount, toSigningKey, toUser } from './rows.js';
import type { DB } from './schema.js';
import { mapUniqueViolation } from './sql-shared.js';

export function accountsRepo(db: Kysely<DB>): Store['accounts'] {
  return {
    async insert(a) {
      await db
        .insertInto('accounts')
        .values({ id: a.id, name: a.name, require_two_factor: a.requireTwoFactor, ratelimits: JSON.stringify(a.ratelimits), created_at: a.createdAt, updated_at: a.updatedAt })
        .execute();
    },
    async get(id) {
      const r = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toAccount(r) : null;
    },
    async update(id, patch, at) {
      const r = await db
        .updateTable('accounts')
        .set({
          ...(patch.requireTwoFactor !== undefined ? { require_two_factor: patch.requireTwoFactor } : {}),
          ...(patch.ratelimits !== undefined ? { ratelimits: JSON.stringify(patch.ratelimits) } : {}),
          updated_at: at,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return r ? toAccount(r) : null;
    },
    async count() {
      const r = await db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export function usersRepo(db: Kysely<DB>): Store['users'] {
  return {
    async insert(u) {
      await db
        .insertInto('users')
        .values({
          id: u.id,
          account_id: u.accountId,
          email: u.email,
          password_hash: u.passwordHash,
          role: u.role,
          permissions: JSON.stringify(u.permissions),
          totp_secret: u.totpSecret,
          totp_enabled: u.totpEnabled,
          totp_last_step: u.totpLastStep,
          recovery_codes: JSON.stringify(u.recoveryCodes),
          created_at: u.createdAt,
          updated_at: u.updatedAt,
        })
        .execute()
        .catch(mapUniqueViolation);
    },
    async findByEmail(email) {
      const r = await db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', sql`lower(${email})`).executeTakeFirst();
      return r ? toUser(r) : null;
    },
    async get(accountId, id) {
      const r = await db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      return r ? toUser(r) : null;
    },
    async getForUpdate(accountId, id) {
      const r = await db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('id', '=', id).forUpdate().executeTakeFirst();
      return r ? toUser(r) : null;
    },
    async list(accountId, filter) {
      let q = db.selectFrom('users').selectAll().where('account_id', '=', accountId);
      if (filter.afterId) q = q.where('id', '>', filter.afterId);
      return (await q.orderBy('id').limit(filter.limit).execute()).map(toUser);
    },
    async listOwnersForUpdate(accountId) {
      return (await db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('role', '=', 'owner').orderBy('id').forUpdate().execute()).map(toUser);
    },
    async update(accountId, id, patch, at) {
      const r = await db
        .updateTable('users')
        .set({
          ...(patch.role !== undefined ? { role: patch.role } : {}),
          ...(patch.permissions !== undefined ? { permissions: JSON.stringify(patch.permissions) } : {}),
          ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
          ...(patch.totpSecret !== undefined ? { totp_secret: patch.totpSecret } : {}),
          ...(patch.totpEnabled !== undefined ? { totp_enabled: patch.totpEnabled } : {}),
          ...(patch.totpLastStep !== undefined ? { totp_last_step: patch.totpLastStep } : {}),
          ...(patch.recoveryCodes !== undefined ? { recovery_codes: JSON.stringify(patch.recoveryCodes) } : {}),
          updated_at: at,
        })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return r ? toUser(r) : null;
    },
    async useTotpStep(accountId, id, step) {
      const r = await db
        .updateTable('users')
        .set({ totp_last_step: step })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async delete(accountId, id) {
      const r = await db.deleteFrom('users').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export function serverSecretsRepo(db: Kysely<DB>): Store['serverSecrets'] {
  return {
    async getOrInsert(name, value, at) {
      await db
        .insertInto('server_secrets')
        .values({ name, value, created_at: at })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const r = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
      return r.value;
    },
  };
}

export function signingKeysRepo(db: Kysely<DB>): Store['signingKeys'] {
  return {
    async insert(k) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: k.kid,
          algorithm: k.algorithm,
          public_jwk: JSON.stringify(k.publicJwk),
          private_key: k.privateKey,
          created_at: k.createdAt,
          retired_at: k.retiredAt,
          publish_until: k.publishUntil,
        })
        .execute();
    },
    async listPublished(now) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where((eb) => eb.or([eb('publish_until', 'is', null), eb('publish_until', '>', now)]))
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toSigningKey);
    },
    async retire(kid, at, publishUntil) {
      await db.updateTable('signing_keys').set({ retired_at: at, publish_until: publishUntil }).where('kid', '=', kid).execute();
    },
  };
}
