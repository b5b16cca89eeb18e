/** SQL repositories for integration credentials and client webhook secrets. */
import type { Kysely, Selectable } from 'kysely';
import type { Store } from '../core/ports.js';
import type { Integration, IntegrationKind } from '../core/types.js';
import type { DB, IntegrationCredentialsTable } from './schema.js';

const toIntegration = (r: Selectable<IntegrationCredentialsTable>): Integration => ({
  id: r.id,
  number: r.number,
  accountId: r.account_id,
  clientId: r.client_id,
  kind: r.kind as IntegrationKind,
  settings: r.settings,
  encryptionMode: r.encryption_mode,
  secrets: r.secrets,
  lastTestAt: r.last_test_at,
  lastTestSuccess: r.last_test_success,
  lastTestError: r.last_test_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function integrationsRepo(db: Kysely<DB>): Store['integrations'] {
  return {
    async get(accountId, clientId, kind) {
      const r = await db.selectFrom('integration_credentials').selectAll().where('account_id', '=', accountId).where('client_id', '=', clientId).where('kind', '=', kind).executeTakeFirst();
      return r ? toIntegration(r) : null;
    },
    async listForClients(accountId, clientIds) {
      if (clientIds.length === 0) return [];
      const rows = await db.selectFrom('integration_credentials').selectAll().where('account_id', '=', accountId).where('client_id', 'in', clientIds).execute();
      return rows.map(toIntegration);
    },
    async listForUpdate(accountId, clientId) {
      const rows = await db.selectFrom('integration_credentials').selectAll().where('account_id', '=', accountId).where('client_id', '=', clientId).orderBy('kind').forUpdate().execute();
      return rows.map(toIntegration);
    },
    async upsert(i) {
      const r = await db
        .insertInto('integration_credentials')
        .values({
          id: i.id,
          account_id: i.accountId,
          client_id: i.clientId,
          kind: i.kind,
          settings: JSON.stringify(i.settings),
          encryption_mode: i.encryptionMode,
          secrets: i.secrets,
          last_test_at: i.lastTestAt,
          last_test_success: i.lastTestSuccess,
          last_test_error: i.lastTestError,
          created_at: i.createdAt,
          updated_at: i.updatedAt,
        })
        .onConflict((oc) =>
          oc.columns(['client_id', 'kind']).doUpdateSet((eb) => ({
            settings: eb.ref('excluded.settings'),
            encryption_mode: eb.ref('excluded.encryption_mode'),
            secrets: eb.ref('excluded.secrets'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toIntegration(r);
    },
    async updateSecrets(id, secrets, at) {
      await db.updateTable('integration_credentials').set({ secrets, updated_at: at }).where('id', '=', id).execute();
    },
    async recordTest(id, result) {
      const r = await db
        .updateTable('integration_credentials')
        .set({ last_test_at: result.at, last_test_success: result.success, last_test_error: result.error })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return r ? toIntegration(r) : null;
    },
    async delete(accountId, clientId, kind) {
      const r = await db.deleteFrom('integration_credentials').where('account_id', '=', accountId).where('client_id', '=', clientId).where('kind', '=', kind).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export function webhookSecretsRepo(db: Kysely<DB>): Store['webhookSecrets'] {
  return {
    async get(accountId, clientId) {
      const r = await db.selectFrom('client_webhook_secrets').selectAll().where('account_id', '=', accountId).where('client_id', '=', clientId).executeTakeFirst();
      return r ? { clientId: r.client_id, accountId: r.account_id, secret: r.secret, createdAt: r.created_at } : null;
    },
    async put(s) {
      await db
        .insertInto('client_webhook_secrets')
        .values({ client_id: s.clientId, account_id: s.accountId, secret: s.secret, created_at: s.createdAt })
        .onConflict((oc) => oc.column('client_id').doUpdateSet((eb) => ({ secret: eb.ref('excluded.secret'), created_at: eb.ref('excluded.created_at') })))
        .execute();
    },
    async delete(accountId, clientId) {
      const r = await db.deleteFrom('client_webhook_secrets').where('account_id', '=', accountId).where('client_id', '=', clientId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
