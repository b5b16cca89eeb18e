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
import { openWithKey, sealWithKey } from '../crypto/envelope.js';
import { randomBytes } from '../crypto/random.js';
import { loadClientFor } from './access.js';
import { clientDataKeyAad } from './clients.js';
import type { CoreContext } from './context.js';
import { recordEvent } from './events.js';
import type { Client, Principal } from './types.js';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

const aadFor = (c: Client) => `webhook-secret:${c.accountId}:${c.id}`;
const dekOf = (ctx: CoreContext, c: Client) => unwrapDataKey(ctx.keyring, c.dataKey, clientDataKeyAad(c.accountId, c.id));

/** Generates (or replaces) the client's secret; the only time it is shown. */
export async function generateClientWebhookSecret(ctx: CoreContext, principal: Principal, clientId: string): Promise<{ secret: string; createdAt: Date }> {
  const now = ctx.now();
  const secret = generateWebhookSecret();
  await ctx.store.transaction(async (tx) => {
    const client = await loadClientFor(tx, principal, clientId, true);
    const replaced = (await tx.webhookSecrets.get(client.accountId, client.id)) !== null;
    await tx.webhookSecrets.put({ clientId: client.id, accountId: client.accountId, secret: sealWithKey(dekOf(ctx, client), Buffer.from(secret, 'utf8'), aadFor(client)), createdAt: now });
    await recordEvent(tx, { accountId: client.accountId, clientId: client.id, type: 'webhook_secret.generated', actor: principal.actor, data: { replaced } }, now);
  });
  return { secret, createdAt: now };
}

export async function getClientWebhookSecretStatus(ctx: CoreContext, principal: Principal, clientId: string): Promise<{ hasSecret: boolean; createdAt: Date | null }> {
  const client = await loadClientFor(ctx.store, principal, clientId);
  const row = await ctx.store.webhookSecrets.get(client.accountId, client.id);
  return { hasSecret: row !== null, createdAt: row?.createdAt ?? null };
}

/** Deletes the client's secret; returns whether one existed. */
export async function deleteClientWebhookSecret(ctx: CoreContext, principal: Principal, clientId: string): Promise<boolean> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const client = await loadClientFor(tx, principal, clientId, true);
    const deleted = await tx.webhookSecrets.delete(client.accountId, client.id);
    if (deleted) await recordEvent(tx, { accountId: client.accountId, clientId: client.id, type: 'webhook_secret.deleted', actor: principal.actor, data: {} }, now);
    return deleted;
  });
}

/** The plain secret, for signing outgoing webhooks only (never for a response). */
export async function revealClientWebhookSecret(ctx: CoreContext, client: Client): Promise<string | null> {
  const row = await ctx.store.webhookSecrets.get(client.accountId, client.id);
  return row ? openWithKey(dekOf(ctx, client), row.secret, aadFor(client)).toString('utf8') : null;
}
