/**
 * Clients: the customer sub-accounts of an account. Every surface (native, FactPulse,
 * CCM19) goes through these functions; each change records its event in the same
 * transaction.
 */
import { createDataKey } from '../crypto/data-keys.js';
import { parseToken } from '../crypto/key-format.js';
import { hashPassword, isBcryptHash, PASSWORD_CONCURRENCY } from '../crypto/passwords.js';
import { isUuid, uuidv7 } from '../crypto/random.js';
import { authoriseClient, loadClientFor, mayActOn, requireAccountPrincipal } from './access.js';
import type { CoreContext } from './context.js';
import { AppError, invalidField } from './errors.js';
import { announceChange } from './cache.js';
import { recordEvent, recordEvents } from './events.js';
import { decodeCursor, pageOf } from './pagination.js';
import type { ClientPatch } from './ports.js';
import type { Client, Page, Principal } from './types.js';
import { checkCredential } from './verification.js';
import { grants, requirePermission } from './permissions.js';
import { checkRateLimitSpecs, type RateLimitSpecInput } from './rate-limits.js';

/** Fields a caller may set. `password` is hashed; `passwordHash` imports a bcrypt hash. */
export interface ClientInput {
  name?: string | null;
  description?: string | null;
  siret?: string | null;
  username?: string | null;
  emailAddress?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  password?: string | null;
  passwordHash?: string | null;
  isActive?: boolean;
  features?: Record<string, boolean>;
  limits?: Record<string, number>;
  metadata?: Record<string, unknown>;
  /** Checked by verify, shared by all the client's keys. */
  ratelimits?: RateLimitSpecInput[];
}

export interface ClientQuery {
  limit: number;
  cursor?: string;
  q?: string;
  username?: string;
  emailAddress?: string;
  isActive?: boolean;
}

/** A SIRET: 14 digits (the one definition, used by every surface's request schema too). */
export const SIRET_PATTERN = '^\\d{14}$';
const SIRET = new RegExp(SIRET_PATTERN);
const MAX_MAP_KEY = 64;
/** An e-mail address, as loosely as mail systems accept them (the one definition: clients, users, accounts). */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The AAD that binds a client's wrapped data key to its account and id. */
export const clientDataKeyAad = (accountId: string, clientId: string) => `client-dek:${accountId}:${clientId}`;

/** Client fields safe to put in an event (no password hash, no key material). */
export function clientSnapshot(c: Client) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    siret: c.siret,
    username: c.username,
    emailAddress: c.emailAddress,
    firstName: c.firstName,
    lastName: c.lastName,
    company: c.company,
    isActive: c.isActive,
    features: c.features,
    limits: c.limits,
    metadata: c.metadata,
  };
}

function checkInput(input: ClientInput): void {
  if (input.siret != null && !SIRET.test(input.siret)) throw invalidField('body.siret', 'must be exactly 14 digits');
  if (input.emailAddress != null && !EMAIL.test(input.emailAddress)) throw invalidField('body.emailAddress', 'must be an e-mail address');
  if (input.passwordHash != null && !isBcryptHash(input.passwordHash)) throw invalidField('body.passwordHash', 'must be a bcrypt hash ($2a$, $2b$ or $2y$)');
  for (const [k, v] of Object.entries(input.limits ?? {})) {
    if (!Number.isInteger(v) || v < -1) throw invalidField(`body.limits.${k}`, 'must be an integer ≥ -1 (-1 = unlimited)');
  }
  for (const field of ['features', 'limits', 'metadata'] as const) {
    if (Object.keys(input[field] ?? {}).some((k) => k.length > MAX_MAP_KEY)) throw invalidField(`body.${field}`, `keys must be at most ${MAX_MAP_KEY} characters`);
  }
  if (input.metadata && Buffer.byteLength(JSON.stringify(input.metadata)) > 8192) throw invalidField('body.metadata', 'must be at most 8 KiB of JSON');
}

/** Name rule shared by surfaces that have no name field: company, then full name, then username. */
function deriveClientName(input: ClientInput): string | undefined {
  const full = [input.firstName, input.lastName].filter((s) => s?.trim()).join(' ');
  return input.name?.trim() || input.company?.trim() || full || input.username?.trim() || undefined;
}

async function passwordColumns(input: ClientInput): Promise<Pick<ClientPatch, 'passwordHash'>> {
  if (input.password !== undefined && input.password !== null) return { passwordHash: await hashPassword(input.password) };
  if (input.passwordHash !== undefined) return { passwordHash: input.passwordHash };
  if (input.password === null) return { passwordHash: null };
  return {};
}

/**
 * A new client of the account from the caller's input, checked as every create checks it;
 * its password is not hashed yet (see passwordColumns). Throws the AppError of the first
 * problem found.
 */
function newClient(ctx: CoreContext, accountId: string, input: ClientInput, now: Date): Client {
  checkInput(input);
  const name = deriveClientName(input);
  if (!name) throw invalidField('body.name', 'is required');
  const ratelimits = checkRateLimitSpecs(input.ratelimits ?? [], 'body.ratelimits');
  const id = uuidv7();
  const { wrapped } = createDataKey(ctx.keyring, clientDataKeyAad(accountId, id));
  return {
    id,
    accountId,
    name,
    description: input.description ?? null,
    siret: input.siret ?? null,
    username: input.username ?? null,
    emailAddress: input.emailAddress ?? null,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    company: input.company ?? null,
    passwordHash: null,
    isActive: input.isActive ?? true,
    features: input.features ?? {},
    limits: input.limits ?? {},
    metadata: input.metadata ?? {},
    ratelimits,
    dataKey: wrapped,
    createdAt: now,
    updatedAt: now,
  };
}

/** The event a created client records. */
const clientCreated = (principal: Principal, client: Client) => ({
  accountId: client.accountId,
  clientId: client.id,
  type: 'client.created' as const,
  actor: principal.actor,
  data: { client: clientSnapshot(client) },
});

export async function createClient(ctx: CoreContext, principal: Principal, input: ClientInput): Promise<Client> {
  requirePermission(principal, 'clients:write');
  requireAccountPrincipal(principal);
  const now = ctx.now();
  const client = newClient(ctx, principal.accountId, input, now);
  client.passwordHash = (await passwordColumns(input)).passwordHash ?? null;
  return ctx.store.transaction(async (tx) => {
    await tx.clients.insert(client);
    await recordEvent(tx, clientCreated(principal, client), now);
    return client;
  });
}

/** The most clients one batch create takes (`POST /v1/clients/batch`). */
export const MAX_CLIENT_BATCH = 1000;

/** One item of a batch create: the client created, or the error a single create of it would have answered. */
export type ClientBatchResult = { client: Client; error?: undefined } | { client?: undefined; error: AppError };

/** USERNAME_TAKEN naming its field (a batch answers each item on its own, so it says which field failed). */
function usernameTaken(byItem?: number): AppError {
  const message = byItem === undefined ? 'is already used by another client' : `is already used by item ${byItem} of this batch`;
  return new AppError('USERNAME_TAKEN', byItem === undefined ? undefined : `The username ${message}`, [{ field: 'body.username', message, rule: 'unique' }]);
}

/**
 * Creates many clients (at most MAX_CLIENT_BATCH) in ONE transaction, answering each item on
 * its own, in input order: the client created, or the error a single create of that item
 * would have answered — a bad field, a username already used by another client or by an
 * earlier item of the batch (the first one wins). An invalid item stops no other. Each
 * created client gets exactly what createClient gives it: the same checks, its own data key,
 * its password hashed with argon2id (off the event loop, at most PASSWORD_CONCURRENCY of the
 * batch's at a time, before the transaction opens), its `client.created` event and that
 * event's webhook deliveries; the account's client count moves with the commit. A failure of
 * the transaction itself (a database error) creates none of them and throws.
 */
export async function createClients(ctx: CoreContext, principal: Principal, inputs: readonly ClientInput[]): Promise<ClientBatchResult[]> {
  requirePermission(principal, 'clients:write');
  requireAccountPrincipal(principal);
  if (inputs.length > MAX_CLIENT_BATCH) throw invalidField('body.items', `must hold at most ${MAX_CLIENT_BATCH} items`);
  const now = ctx.now();
  const results: ClientBatchResult[] = new Array(inputs.length);
  const valid: Array<{ index: number; input: ClientInput; client: Client }> = [];
  inputs.forEach((input, index) => {
    try {
      valid.push({ index, input, client: newClient(ctx, principal.accountId, input, now) });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results[index] = { error: err };
    }
  });
  if (valid.length === 0) return results;

  // Password work shares one bounded queue with sign-ins (crypto/passwords.ts): the batch
  // keeps at most PASSWORD_CONCURRENCY hashes in it, so it never fills the queue by itself.
  let next = 0;
  const hashNext = async (): Promise<void> => {
    for (let v = valid[next++]; v; v = valid[next++]) v.client.passwordHash = (await passwordColumns(v.input)).passwordHash ?? null;
  };
  await Promise.all(Array.from({ length: PASSWORD_CONCURRENCY }, hashNext)).catch((err: unknown) => {
    next = valid.length; // the other workers stop at their current item
    throw err;
  });

  const inserted = await ctx.store.transaction(async (tx) => {
    const ids = new Set(await tx.clients.insertMany(valid.map((v) => v.client)));
    const created = valid.filter((v) => ids.has(v.client.id));
    // Only a taken username skips a row; anything else would be a broken promise of the store.
    if (valid.some((v) => !ids.has(v.client.id) && v.client.username === null)) throw new Error('a client without a username was not inserted');
    await recordEvents(
      tx,
      created.map((v) => clientCreated(principal, v.client)),
      now,
    );
    return ids;
  });
  const createdWith = new Map<string, number>(); // username (lower case) → the item created with it
  for (const v of valid) {
    if (!inserted.has(v.client.id)) continue;
    results[v.index] = { client: v.client };
    const u = v.client.username?.toLowerCase();
    if (u !== undefined && !createdWith.has(u)) createdWith.set(u, v.index);
  }
  for (const v of valid) if (!inserted.has(v.client.id)) results[v.index] = { error: usernameTaken(createdWith.get(v.client.username!.toLowerCase())) };
  return results;
}

/**
 * A read through the verification cache: clients are already cached (and invalidated on
 * every committed change, on every instance) for key checks, so a GET costs no query.
 */
export async function getClient(ctx: CoreContext, principal: Principal, id: string): Promise<Client> {
  requirePermission(principal, 'clients:read');
  return authoriseClient(principal, await ctx.cache.client(principal.accountId, id, () => ctx.store.clients.get(principal.accountId, id)));
}

/** getClient from the cache alone: undefined when the client is not cached or the principal may not see it. */
export function getCachedClient(ctx: CoreContext, principal: Principal, id: string): Client | undefined {
  if (principal.permissions && !grants(principal.permissions, 'clients:read')) return undefined; // the route refuses it
  const client = ctx.cache.peekClient(principal.accountId, id);
  return client && mayActOn(principal, client) ? client : undefined;
}

export async function listClients(ctx: CoreContext, principal: Principal, query: ClientQuery): Promise<Page<Client>> {
  requirePermission(principal, 'clients:read');
  requireAccountPrincipal(principal);
  const afterId = decodeCursor(query.cursor, isUuid);
  const rows = await ctx.store.clients.list(principal.accountId, {
    limit: query.limit + 1,
    ...(afterId ? { afterId } : {}),
    ...(query.q ? { q: query.q } : {}),
    ...(query.username !== undefined ? { username: query.username } : {}),
    ...(query.emailAddress !== undefined ? { emailAddress: query.emailAddress } : {}),
    ...(query.isActive !== undefined ? { isActive: query.isActive } : {}),
  });
  return pageOf(rows, query.limit, (c) => c.id);
}

/** Offset pagination for surfaces that number their pages (FactPulse `page`/`pageSize`). */
export async function listClientsPage(ctx: CoreContext, principal: Principal, page: number, pageSize: number): Promise<{ rows: Client[]; total: number }> {
  requirePermission(principal, 'clients:read');
  requireAccountPrincipal(principal);
  return ctx.store.clients.listPage(principal.accountId, (page - 1) * pageSize, pageSize);
}

/** A client of the principal's account by its username (account principals only); CLIENT_NOT_FOUND when none. */
export async function findClientByUsername(ctx: CoreContext, principal: Principal, username: string): Promise<Client> {
  requirePermission(principal, 'clients:read');
  requireAccountPrincipal(principal);
  const client = await ctx.store.clients.findByUsername(principal.accountId, username);
  if (!client) throw new AppError('CLIENT_NOT_FOUND');
  return client;
}

/** A client of the principal's account by its username, else by its e-mail address (the first one); CLIENT_NOT_FOUND when neither. */
export async function findClientByUsernameOrEmail(ctx: CoreContext, principal: Principal, term: string): Promise<Client> {
  requirePermission(principal, 'clients:read');
  requireAccountPrincipal(principal);
  const client = (await ctx.store.clients.findByUsername(principal.accountId, term)) ?? (await ctx.store.clients.list(principal.accountId, { limit: 1, emailAddress: term }))[0];
  if (!client) throw new AppError('CLIENT_NOT_FOUND');
  return client;
}

/**
 * The client a key token belongs to, when the token is a valid credential of one of the
 * principal's account's clients; CLIENT_NOT_FOUND otherwise (a wrong secret, a disabled key,
 * an account key or another account's key alike, so nothing about the token is revealed).
 */
export async function findClientByKeyToken(ctx: CoreContext, principal: Principal, token: string): Promise<Client> {
  requirePermission(principal, 'clients:read');
  requireAccountPrincipal(principal);
  const parts = parseToken(token);
  const check = parts ? await checkCredential(ctx, parts.keyId, parts.secret) : undefined;
  const key = check?.key;
  if (!key?.clientId || key.accountId !== principal.accountId) throw new AppError('CLIENT_NOT_FOUND');
  return getClient(ctx, principal, key.clientId);
}

/**
 * Maps computed from the client as it stands inside the update's transaction, its row locked:
 * a surface that merges into `limits`/`features` (CCM19 sets some keys and keeps the others)
 * gives this instead of maps read beforehand, so two concurrent updates cannot lose each
 * other's keys.
 */
export type ClientMapsMerge = (current: Client) => Pick<ClientInput, 'limits' | 'features'>;

export async function updateClient(ctx: CoreContext, principal: Principal, id: string, input: ClientInput, merge?: ClientMapsMerge): Promise<Client> {
  requirePermission(principal, 'clients:write');
  checkInput(input);
  if (input.name === null || (input.name !== undefined && input.name.trim() === '')) throw invalidField('body.name', 'must not be empty');
  if (principal.kind === 'client' && (input.limits !== undefined || input.ratelimits !== undefined || input.features !== undefined || input.isActive !== undefined || merge))
    throw new AppError('FORBIDDEN', 'A client credential may not change its limits, rate limits, features or status');
  const patch: ClientPatch = {};
  const fields = ['name', 'description', 'siret', 'username', 'emailAddress', 'firstName', 'lastName', 'company'] as const;
  for (const f of fields) if (input[f] !== undefined) (patch as Record<string, unknown>)[f] = input[f];
  for (const f of ['isActive', 'features', 'limits', 'metadata'] as const) if (input[f] !== undefined) (patch as Record<string, unknown>)[f] = input[f];
  if (input.ratelimits !== undefined) patch.ratelimits = checkRateLimitSpecs(input.ratelimits, 'body.ratelimits');
  Object.assign(patch, await passwordColumns(input));
  const now = ctx.now();
  const after = await ctx.store.transaction(async (tx) => {
    const before = await loadClientFor(tx, principal, id, true);
    if (merge) {
      const maps = merge(before);
      checkInput(maps);
      if (maps.limits !== undefined) patch.limits = maps.limits;
      if (maps.features !== undefined) patch.features = maps.features;
    }
    const changes = Object.keys(patch).map((k) => (k === 'passwordHash' ? 'password' : k));
    if (changes.length === 0) return before;
    const after = await tx.clients.update(principal.accountId, id, patch, now);
    if (!after) throw new AppError('CLIENT_NOT_FOUND');
    await announceChange(tx, { clientId: id });
    await recordEvent(tx, { accountId: after.accountId, clientId: id, type: 'client.updated', actor: principal.actor, data: { changes, client: clientSnapshot(after) } }, now);
    if (patch.isActive !== undefined && patch.isActive !== before.isActive) {
      await recordEvent(tx, { accountId: after.accountId, clientId: id, type: after.isActive ? 'client.activated' : 'client.deactivated', actor: principal.actor, data: { clientId: id } }, now);
    }
    return after;
  });
  ctx.cache.invalidate({ clientId: id });
  return after;
}

/**
 * Activates or deactivates a client. A client principal may not, unless the surface grants
 * the `allowOwnClient` capability — then on its own client only (another is still 403).
 * Why a capability and not a surface check: whether a client credential may act is decided
 * here, on the row locked by the change, like every other rule; which surfaces grant it is
 * their wire contract (FactPulse's activer/desactiver are client-level operations; the
 * native API and CCM19 reserve status to the account).
 */
export async function setClientActive(ctx: CoreContext, principal: Principal, id: string, active: boolean, options: { allowOwnClient?: boolean } = {}): Promise<Client> {
  requirePermission(principal, 'clients:write');
  if (principal.kind === 'client' && !options.allowOwnClient) throw new AppError('FORBIDDEN', 'A client credential may not change its limits, features or status');
  const now = ctx.now();
  const after = await ctx.store.transaction(async (tx) => {
    const before = await loadClientFor(tx, principal, id, true);
    if (before.isActive === active) return before;
    const after = await tx.clients.update(principal.accountId, id, { isActive: active }, now);
    if (!after) throw new AppError('CLIENT_NOT_FOUND');
    await announceChange(tx, { clientId: id });
    await recordEvent(tx, { accountId: after.accountId, clientId: id, type: active ? 'client.activated' : 'client.deactivated', actor: principal.actor, data: { clientId: id } }, now);
    return after;
  });
  ctx.cache.invalidate({ clientId: id });
  return after;
}

/** Deletes a client with its keys and its data key (crypto-shredding its secrets). */
export async function deleteClient(ctx: CoreContext, principal: Principal, id: string): Promise<void> {
  requirePermission(principal, 'clients:write');
  requireAccountPrincipal(principal);
  const now = ctx.now();
  await ctx.store.transaction(async (tx) => {
    const client = await loadClientFor(tx, principal, id, true);
    const deletedKeys = await tx.apiKeys.countForOwner(principal.accountId, id);
    await tx.clients.delete(principal.accountId, id);
    await announceChange(tx, { clientId: id });
    await recordEvent(tx, { accountId: client.accountId, clientId: id, type: 'client.deleted', actor: principal.actor, data: { client: clientSnapshot(client), deletedKeys } }, now);
  });
  ctx.cache.invalidate({ clientId: id });
}
