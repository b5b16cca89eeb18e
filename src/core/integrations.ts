/**
 * Integration credentials: per-client third-party settings whose secret fields are
 * encrypted and never returned (only a status is). Two layers:
 *
 *   fernet ("server layer only"): secrets JSON sealed under the client's data key;
 *   double: secrets JSON sealed under the caller's own AES-256 key (X-Encryption-Key),
 *           and that envelope sealed under the client's data key.
 *
 * The caller's key is never stored; the envelope names a fingerprint of it so a wrong key
 * is detected before any decryption. A client has one caller key at a time across kinds.
 */
import { unwrapDataKey } from '../crypto/data-keys.js';
import { envelopeKeyId, EnvelopeError, keyIdFor, openWithKey, sealWithKey } from '../crypto/envelope.js';
import { uuidv7 } from '../crypto/random.js';
import { loadClientFor } from './access.js';
import { clientDataKeyAad } from './clients.js';
import type { CoreContext } from './context.js';
import { AppError, invalidField } from './errors.js';
import { recordEvent } from './events.js';
import { INTEGRATION_KINDS } from './integration-kinds.js';
import type { Store } from './ports.js';
import type { Client, EncryptionMode, Integration, IntegrationKind, Principal } from './types.js';
import { requirePermission } from './permissions.js';

export interface IntegrationInput {
  /** Settings and secrets together, as a request names them: the kind's declaration (integration-kinds.ts) says which is which. */
  fields: Record<string, unknown>;
  encryptionMode: EncryptionMode;
  /** The caller's key (decoded X-Encryption-Key), required for `double`. */
  clientKey?: Buffer;
}

const aadFor = (c: Client, kind: IntegrationKind) => `integration:${c.accountId}:${c.id}:${kind}`;

function dataKeyOf(ctx: CoreContext, client: Client): Buffer {
  return unwrapDataKey(ctx.keyring, client.dataKey, clientDataKeyAad(client.accountId, client.id));
}

/** The inner payload: plain secrets JSON (fernet) or the caller-key envelope (double). */
function openOuter(dek: Buffer, client: Client, i: Integration): Buffer {
  return openWithKey(dek, i.secrets, aadFor(client, i.kind));
}

/** Checks that `clientKey` is the key the client's existing double-encrypted secrets use. */
function assertSameClientKey(dek: Buffer, client: Client, existing: Integration[], clientKey: Buffer): void {
  const kid = keyIdFor(clientKey);
  for (const i of existing) {
    if (i.encryptionMode === 'double' && envelopeKeyId(openOuter(dek, client, i)) !== kid) throw new AppError('INVALID_ENCRYPTION_KEY');
  }
}

export async function getIntegration(ctx: CoreContext, principal: Principal, clientId: string, kind: IntegrationKind): Promise<Integration | null> {
  requirePermission(principal, 'clients:read');
  const client = await loadClientFor(ctx.store, principal, clientId);
  return ctx.store.integrations.get(client.accountId, client.id, kind);
}

/** Creates or replaces a client's integration of one kind. */
export async function putIntegration(ctx: CoreContext, principal: Principal, clientId: string, kind: IntegrationKind, input: IntegrationInput): Promise<Integration> {
  requirePermission(principal, 'integrations:write');
  const spec = INTEGRATION_KINDS[kind];
  const { settings, secrets } = spec.split(kind, input.fields);
  if (input.encryptionMode === 'double' && !input.clientKey) throw new AppError('ENCRYPTION_KEY_REQUIRED');
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const client = await loadClientFor(tx, principal, clientId, true);
    const dek = dataKeyOf(ctx, client);
    const existing = await tx.integrations.listForUpdate(client.accountId, client.id);
    if (input.encryptionMode === 'double') assertSameClientKey(dek, client, existing, input.clientKey!);
    const plain = Buffer.from(JSON.stringify(Object.fromEntries(spec.secretFields.map((f) => [f, secrets[f]]))), 'utf8');
    const aad = aadFor(client, kind);
    const inner = input.encryptionMode === 'double' ? sealWithKey(input.clientKey!, plain, `${aad}:client-layer`) : plain;
    const previous = existing.find((i) => i.kind === kind);
    const stored = await tx.integrations.upsert({
      id: previous?.id ?? uuidv7(),
      accountId: client.accountId,
      clientId: client.id,
      kind,
      settings,
      encryptionMode: input.encryptionMode,
      secrets: sealWithKey(dek, inner, aad),
      lastTestAt: previous?.lastTestAt ?? null,
      lastTestSuccess: previous?.lastTestSuccess ?? null,
      lastTestError: previous?.lastTestError ?? null,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    });
    await recordEvent(
      tx,
      { accountId: client.accountId, clientId: client.id, type: 'integration.updated', actor: principal.actor, data: { kind, encryptionMode: input.encryptionMode, settings } },
      now,
    );
    return stored;
  });
}

export async function deleteIntegration(ctx: CoreContext, principal: Principal, clientId: string, kind: IntegrationKind): Promise<boolean> {
  requirePermission(principal, 'integrations:write');
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const client = await loadClientFor(tx, principal, clientId, true);
    const deleted = await tx.integrations.delete(client.accountId, client.id, kind);
    if (deleted) await recordEvent(tx, { accountId: client.accountId, clientId: client.id, type: 'integration.deleted', actor: principal.actor, data: { kind } }, now);
    return deleted;
  });
}

/** Decrypts an integration's secret fields (for the test action only). */
function revealSecrets(ctx: CoreContext, client: Client, i: Integration, clientKey: Buffer | undefined): Record<string, string> {
  const inner = openOuter(dataKeyOf(ctx, client), client, i);
  let plain = inner;
  if (i.encryptionMode === 'double') {
    if (!clientKey) throw new AppError('ENCRYPTION_KEY_REQUIRED');
    if (envelopeKeyId(inner) !== keyIdFor(clientKey)) throw new AppError('INVALID_ENCRYPTION_KEY');
    try {
      plain = openWithKey(clientKey, inner, `${aadFor(client, i.kind)}:client-layer`);
    } catch (err) {
      if (err instanceof EnvelopeError) throw new AppError('INVALID_ENCRYPTION_KEY');
      throw err;
    }
  }
  return JSON.parse(plain.toString('utf8')) as Record<string, string>;
}

/**
 * Re-encrypts every double-encrypted secret of the client from `oldKey` to `newKey` in one
 * transaction: a wrong old key or any failure leaves everything as it was.
 */
export async function rotateClientEncryptionKey(ctx: CoreContext, principal: Principal, clientId: string, oldKey: Buffer, newKey: Buffer): Promise<number> {
  requirePermission(principal, 'integrations:write');
  const now = ctx.now();
  return ctx.store.transaction(async (tx: Store) => {
    const client = await loadClientFor(tx, principal, clientId, true);
    const dek = dataKeyOf(ctx, client);
    const doubles = (await tx.integrations.listForUpdate(client.accountId, client.id)).filter((i) => i.encryptionMode === 'double');
    if (doubles.length === 0) throw new AppError('NO_DOUBLE_ENCRYPTED_SECRETS');
    for (const i of doubles) {
      const plain = revealSecrets(ctx, client, i, oldKey);
      const aad = aadFor(client, i.kind);
      const inner = sealWithKey(newKey, Buffer.from(JSON.stringify(plain), 'utf8'), `${aad}:client-layer`);
      await tx.integrations.updateSecrets(i.id, sealWithKey(dek, inner, aad), now);
    }
    await recordEvent(
      tx,
      { accountId: client.accountId, clientId: client.id, type: 'encryption_key.rotated', actor: principal.actor, data: { rotatedCount: doubles.length, kinds: doubles.map((i) => i.kind) } },
      now,
    );
    return doubles.length;
  });
}

/**
 * The test action: the OAuth client-credentials request against the stored token URL with
 * the stored client id and secret. The outcome is recorded (lastTestAt/Success/Error).
 */
export async function testIntegration(ctx: CoreContext, principal: Principal, clientId: string, kind: IntegrationKind, clientKey?: Buffer): Promise<Integration> {
  requirePermission(principal, 'integrations:write');
  const client = await loadClientFor(ctx.store, principal, clientId);
  const integration = await ctx.store.integrations.get(client.accountId, client.id, kind);
  if (!integration) throw new AppError('INTEGRATION_NOT_FOUND');
  const secrets = revealSecrets(ctx, client, integration, clientKey);
  const tokenUrl = String(integration.settings.tokenUrl ?? '');
  const clientIdValue = String(integration.settings.oauthClientId ?? '');
  let success = false;
  let error: string | null = null;
  try {
    const res = await ctx.outbound.send({
      url: tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientIdValue, client_secret: secrets.clientSecret ?? '' }).toString(),
      timeoutMs: 10_000,
    });
    let token: unknown;
    try {
      token = (JSON.parse(res.body) as { access_token?: unknown }).access_token;
    } catch {
      token = undefined;
    }
    success = res.status >= 200 && res.status < 300 && typeof token === 'string' && token !== '';
    if (!success) error = `Token endpoint answered HTTP ${res.status}${res.status < 300 ? ' without an access_token' : ''}`;
  } catch (err) {
    error = `Token request failed: ${(err as Error).message}`;
  }
  for (const value of Object.values(secrets)) if (error && value) error = error.split(value).join('[REDACTED]');
  const at = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const updated = await tx.integrations.recordTest(integration.id, { at, success, error: error?.slice(0, 500) ?? null });
    if (!updated) throw new AppError('INTEGRATION_NOT_FOUND');
    await recordEvent(tx, { accountId: client.accountId, clientId: client.id, type: 'integration.tested', actor: principal.actor, data: { kind, success, error: updated.lastTestError } }, at);
    return updated;
  });
}

/** FactPulse summary flags for a page of clients, in one query. */
export async function integrationFlags(ctx: CoreContext, accountId: string, clientIds: string[]) {
  const rows = await ctx.store.integrations.listForClients(accountId, clientIds);
  const flags = new Map<string, { pdp?: Integration; chorus?: Integration }>();
  for (const r of rows) {
    const f = flags.get(r.clientId) ?? {};
    if (r.kind === 'pdp') f.pdp = r;
    else f.chorus = r;
    flags.set(r.clientId, f);
  }
  return flags;
}

/** Decodes an AES-256 key given as base64 (≥ 40 characters, exactly 32 bytes). */
export function decodeClientKey(value: string, field: string): Buffer {
  const text = value.trim();
  if (text.length < 40) throw invalidField(field, 'must be at least 40 characters (base64 of 32 bytes)');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw invalidField(field, 'must be base64');
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) throw invalidField(field, 'must decode to exactly 32 bytes (AES-256)');
  return key;
}
