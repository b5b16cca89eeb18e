/**
 * Client webhook signing secrets. Generated from the CSPRNG, returned once (generate
 * replaces any previous secret), stored sealed under the client's data key. When a client
 * has none, the account's default secret signs its webhooks.
 *
 * Format: `whsec_` + base64 of 32 random bytes — the Standard Webhooks secret format, so
 * the `standardwebhooks` verifier accepts the string as returned; FactPulse-style
 * receivers use the whole string's UTF-8 bytes as the HMAC key.
 */
import { unwrapDataKey } from '../crypto/data-keys.js';
import { open, openWithKey, seal, sealWithKey } from '../crypto/envelope.js';
import { randomBytes } from '../crypto/random.js';
import { loadClientFor, requireAccountPrincipal } from './access.js';
import { clientDataKeyAad } from './clients.js';
import type { CoreContext } from './context.js';
import { invalidField } from './errors.js';
import { recordEvent } from './events.js';
import type { SealedSigningSecrets } from './ports.js';
import type { Client, Principal } from './types.js';
import { requirePermission } from './permissions.js';

const WEBHOOK_SECRET_PREFIX = 'whsec_';

function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

const secretAad = (accountId: string, clientId: string) => `webhook-secret:${accountId}:${clientId}`;
const aadFor = (c: Client) => secretAad(c.accountId, c.id);
const dekOf = (ctx: Pick<CoreContext, 'keyring'>, c: Pick<Client, 'accountId' | 'id' | 'dataKey'>) => unwrapDataKey(ctx.keyring, c.dataKey, clientDataKeyAad(c.accountId, c.id));

/** Generates (or replaces) the client's secret; the only time it is shown. */
export async function generateClientWebhookSecret(ctx: CoreContext, principal: Principal, clientId: string): Promise<{ secret: string; createdAt: Date }> {
  requirePermission(principal, 'webhooks:write');
  const now = ctx.now();
  const secret = generateWebhookSecret();
  await ctx.store.transaction(async (tx) => {
    const client = await loadClientFor(tx, principal, clientId, true);
    const replaced = (await tx.webhookSecrets.get(client.accountId, client.id)) !== null;
    await tx.webhookSecrets.put({ clientId: client.id, accountId: client.accountId, secret: sealWithKey(dekOf(ctx, client), Buffer.from(secret, 'utf8'), aadFor(client)), createdAt: now });
    await recordEvent(tx, { accountId: client.accountId, clientId: client.id, type: 'webhook_secret.generated', actor: principal.actor, data: { scope: 'client', replaced } }, now);
    await tx.webhooks.wakeWaiting(client.accountId, now);
  });
  return { secret, createdAt: now };
}

export async function getClientWebhookSecretStatus(ctx: CoreContext, principal: Principal, clientId: string): Promise<{ hasSecret: boolean; createdAt: Date | null }> {
  requirePermission(principal, 'webhooks:read');
  const client = await loadClientFor(ctx.store, principal, clientId);
  const row = await ctx.store.webhookSecrets.get(client.accountId, client.id);
  return { hasSecret: row !== null, createdAt: row?.createdAt ?? null };
}

/** Deletes the client's secret; returns whether one existed. */
export async function deleteClientWebhookSecret(ctx: CoreContext, principal: Principal, clientId: string): Promise<boolean> {
  requirePermission(principal, 'webhooks:write');
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const client = await loadClientFor(tx, principal, clientId, true);
    const deleted = await tx.webhookSecrets.delete(client.accountId, client.id);
    if (deleted) await recordEvent(tx, { accountId: client.accountId, clientId: client.id, type: 'webhook_secret.deleted', actor: principal.actor, data: { scope: 'client' } }, now);
    return deleted;
  });
}

/** The plain secret, for signing outgoing webhooks only (never for a response). */
export async function revealClientWebhookSecret(ctx: CoreContext, client: Client): Promise<string | null> {
  const row = await ctx.store.webhookSecrets.get(client.accountId, client.id);
  return row ? openWithKey(dekOf(ctx, client), row.secret, aadFor(client)).toString('utf8') : null;
}

/** What a sealed account webhook secret (and its previous one) is bound to. */
export const accountWebhookSecretAad = (accountId: string) => `account-webhook-secret:${accountId}`;

/**
 * Generates (or replaces) the account's default secret, shown once. With a grace period
 * the replaced secret keeps signing alongside the new one until it expires.
 */
export async function generateAccountWebhookSecret(ctx: CoreContext, principal: Principal, gracePeriodSeconds = 0): Promise<{ secret: string; createdAt: Date }> {
  requirePermission(principal, 'webhooks:write');
  requireAccountPrincipal(principal);
  if (!Number.isInteger(gracePeriodSeconds) || gracePeriodSeconds < 0 || gracePeriodSeconds > 7 * 24 * 3600) throw invalidField('body.gracePeriodSeconds', 'must be an integer from 0 to 604800');
  const now = ctx.now();
  const secret = generateWebhookSecret();
  const aad = accountWebhookSecretAad(principal.accountId);
  await ctx.store.transaction(async (tx) => {
    const current = await tx.accountWebhookSecrets.get(principal.accountId);
    const keepPrevious = current !== null && gracePeriodSeconds > 0;
    await tx.accountWebhookSecrets.put({
      accountId: principal.accountId,
      secret: seal(ctx.keyring, Buffer.from(secret, 'utf8'), aad),
      previousSecret: keepPrevious ? current.secret : null,
      previousExpiresAt: keepPrevious ? new Date(now.getTime() + gracePeriodSeconds * 1000) : null,
      createdAt: now,
    });
    await recordEvent(
      tx,
      { accountId: principal.accountId, clientId: null, type: 'webhook_secret.generated', actor: principal.actor, data: { scope: 'account', replaced: current !== null, gracePeriodSeconds } },
      now,
    );
    await tx.webhooks.wakeWaiting(principal.accountId, now);
  });
  return { secret, createdAt: now };
}

export async function getAccountWebhookSecretStatus(ctx: CoreContext, principal: Principal): Promise<{ hasSecret: boolean; createdAt: Date | null }> {
  requirePermission(principal, 'webhooks:read');
  requireAccountPrincipal(principal);
  const row = await ctx.store.accountWebhookSecrets.get(principal.accountId);
  return { hasSecret: row !== null, createdAt: row?.createdAt ?? null };
}

export async function deleteAccountWebhookSecret(ctx: CoreContext, principal: Principal): Promise<boolean> {
  requirePermission(principal, 'webhooks:write');
  requireAccountPrincipal(principal);
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const deleted = await tx.accountWebhookSecrets.delete(principal.accountId);
    if (deleted) await recordEvent(tx, { accountId: principal.accountId, clientId: null, type: 'webhook_secret.deleted', actor: principal.actor, data: { scope: 'account' } }, now);
    return deleted;
  });
}

/**
 * The secrets that sign a webhook for this account and (optional) client: the client's own
 * secret when it has one, else the account default (plus its predecessor during a grace
 * period). Empty when there is none — an unsigned webhook never leaves.
 */
export async function signingSecretsFor(ctx: CoreContext, accountId: string, clientId: string | null): Promise<string[]> {
  const client = clientId ? await ctx.store.clients.get(accountId, clientId) : null;
  const own = client ? await ctx.store.webhookSecrets.get(accountId, client.id) : null;
  const account = own ? null : await ctx.store.accountWebhookSecrets.get(accountId);
  return signingSecretsFrom(ctx, accountId, clientId, { clientDataKey: client?.dataKey ?? null, clientSecret: own?.secret ?? null, account });
}

/** signingSecretsFor from sealed material already read (the dispatcher's claim brings it along). */
export function signingSecretsFrom(ctx: Pick<CoreContext, 'keyring' | 'now'>, accountId: string, clientId: string | null, sealed: SealedSigningSecrets): string[] {
  if (clientId && sealed.clientSecret && sealed.clientDataKey) {
    const dek = dekOf(ctx, { accountId, id: clientId, dataKey: sealed.clientDataKey });
    return [openWithKey(dek, sealed.clientSecret, secretAad(accountId, clientId)).toString('utf8')];
  }
  const row = sealed.account;
  if (!row) return [];
  const aad = accountWebhookSecretAad(accountId);
  const secrets = [open(ctx.keyring, row.secret, aad).toString('utf8')];
  if (row.previousSecret && row.previousExpiresAt && row.previousExpiresAt.getTime() > ctx.now().getTime()) secrets.push(open(ctx.keyring, row.previousSecret, aad).toString('utf8'));
  return secrets;
}
