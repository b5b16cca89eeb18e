/**
 * Clients: the customer sub-accounts of an account. Every surface (native, FactPulse,
 * CCM19) goes through these functions; each change records its event in the same
 * transaction.
 */
import { createDataKey } from '../crypto/data-keys.js';
import { parseToken } from '../crypto/key-format.js';
import { hashPassword, isBcryptHash } from '../crypto/passwords.js';
import { isUuid, uuidv7 } from '../crypto/random.js';
import { authoriseClient, loadClientFor, mayActOn, requireAccountPrincipal } from './access.js';
import type { CoreContext } from './context.js';
import { AppError, invalidField } from './errors.js';
import { announceChange } from './cache.js';
import { recordEvent } from './events.js';
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

export async function createClient(ctx: CoreContext, principal: Principal, input: ClientInput): Promise<Client> {
  requirePermission(principal, 'clients:write');
  requireAccountPrincipal(principal);
  checkInput(input);
  const name = deriveClientName(input);
  if (!name) throw invalidField('body.name', 'is required');
  const id = uuidv7();
  const now = ctx.now();
  const { wrapped } = createDataKey(ctx.keyring, clientDataKeyAad(principal.accountId, id));
  const client: Client = {
    id,
    accountId: principal.accountId,
    name,
    description: input.description ?? null,
    siret: input.siret ?? null,
    username: input.username ?? null,
    emailAddress: input.emailAddress ?? null,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    company: input.company ?? null,
    passwordHash: (await passwordColumns(input)).passwordHash ?? null,
    isActive: input.isActive ?? true,
    features: input.features ?? {},
    limits: input.limits ?? {},
    metadata: input.metadata ?? {},
    ratelimits: checkRateLimitSpecs(input.ratelimits ?? [], 'body.ratelimits'),
    dataKey: wrapped,
    createdAt: now,
    updatedAt: now,
  };
  return ctx.store.transaction(async (tx) => {
    await tx.clients.insert(client);
    await recordEvent(tx, { accountId: client.accountId, clientId: id, type: 'client.created', actor: principal.actor, data: { client: clientSnapshot(client) } }, now);
    return client;
  });
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
