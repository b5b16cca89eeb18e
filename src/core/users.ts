/**
 * The people who operate an account. Each has a role (owner, admin, viewer) and may be
 * given permissions beyond it (permissions.ts). Rules:
 *
 * - account credentials only (a client's credential manages no user);
 * - no escalation: a caller creates, changes or removes only users with no more power than
 *   its own, and gives none it does not hold;
 * - the last owner of an account can be neither removed nor demoted (the owners' rows are
 *   locked while the change is checked, so two concurrent demotions cannot both pass);
 * - a new user gets a one-time setup password, returned once; passwords are argon2id and at
 *   least MIN_PASSWORD_LENGTH characters; changing one's own needs the current one;
 * - a change to a user takes effect at once on every instance (its tokens act with its
 *   current permissions), and is recorded as an event with its actor.
 *
 * E-mail addresses are unique across the server (a login names no account).
 */
import { hashPassword, verifyPassword } from '../crypto/passwords.js';
import { encodeBase62, isUuid, randomBytes, uuidv7 } from '../crypto/random.js';
import { requireAccountPrincipal } from './access.js';
import { EMAIL } from './clients.js';
import { announceChange } from './cache.js';
import type { CoreContext } from './context.js';
import { AppError, invalidField } from './errors.js';
import { recordEvent } from './events.js';
import { decodeCursor, pageOf } from './pagination.js';
import { type Permission, parsePermissions, requireHolds, requirePermission, type Role, ROLES, userPermissions } from './permissions.js';
import type { UserPatch } from './ports.js';
import { NO_SECOND_FACTOR, type Page, type Principal, type User } from './types.js';
import { loginSubject } from './throttle.js';

export const MIN_PASSWORD_LENGTH = 12;
const ROLE_NAMES = Object.keys(ROLES) as Role[];

export interface NewUser {
  email: string;
  role: Role;
  permissions?: string[];
}

export interface UserChange {
  role?: Role;
  permissions?: string[];
}

/** A created user and its one-time setup password (shown once; change it with changeOwnPassword). */
export interface CreatedUser {
  user: User;
  setupPassword: string;
}

/**
 * The permissions a user acts with now: its role's and those given to it — or none at all,
 * while its account requires two-factor authentication it has not turned on (it may then
 * only set it up: the routes that act on the user itself need no permission).
 */
export async function effectivePermissions(ctx: CoreContext, user: User): Promise<Permission[]> {
  if (!user.totpEnabled && (await ctx.cache.account(user.accountId, () => ctx.store.accounts.get(user.accountId)))?.requireTwoFactor) return [];
  return userPermissions(user);
}

/** User fields safe for events and the wire (never the password hash). */
export function userSnapshot(u: User) {
  return { id: u.id, email: u.email, role: u.role, permissions: u.permissions, twoFactorEnabled: u.totpEnabled };
}

function checkRole(role: string, field: string): Role {
  if (!ROLE_NAMES.includes(role as Role)) throw invalidField(field, `must be one of ${ROLE_NAMES.join(', ')}`);
  return role as Role;
}

/** The password rule: a minimum length (and the argon2id input limit). */
export function checkPassword(password: string, field: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw invalidField(field, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 1024) throw invalidField(field, 'must be at most 1024 characters');
}

export async function listUsers(ctx: CoreContext, principal: Principal, query: { limit: number; cursor?: string }): Promise<Page<User>> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'users:read');
  const afterId = decodeCursor(query.cursor, isUuid);
  const rows = await ctx.store.users.list(principal.accountId, { limit: query.limit + 1, ...(afterId ? { afterId } : {}) });
  return pageOf(rows, query.limit, (u) => u.id);
}

export async function getUser(ctx: CoreContext, principal: Principal, id: string): Promise<User> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'users:read');
  const user = isUuid(id) ? await ctx.store.users.get(principal.accountId, id) : null;
  if (!user) throw new AppError('USER_NOT_FOUND');
  return user;
}

/** The user a principal acts as; refused for keys and clients, which are no user. */
export async function getCurrentUser(ctx: CoreContext, principal: Principal): Promise<User> {
  if (principal.actor.type !== 'user') throw new AppError('FORBIDDEN', 'This credential is not a user');
  const user = await ctx.store.users.get(principal.accountId, principal.actor.id);
  if (!user) throw new AppError('UNAUTHENTICATED');
  return user;
}

export async function createUser(ctx: CoreContext, principal: Principal, input: NewUser): Promise<CreatedUser> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'users:write');
  if (!EMAIL.test(input.email) || input.email.length > 320) throw invalidField('body.email', 'must be an e-mail address');
  const role = checkRole(input.role, 'body.role');
  const permissions = parsePermissions(input.permissions ?? [], 'body.permissions');
  requireHolds(principal, userPermissions({ role, permissions }));
  const setupPassword = encodeBase62(randomBytes(18), 25);
  const now = ctx.now();
  const user: User = {
    id: uuidv7(),
    accountId: principal.accountId,
    email: input.email,
    passwordHash: await hashPassword(setupPassword),
    role,
    permissions,
    ...NO_SECOND_FACTOR,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.transaction(async (tx) => {
    await tx.users.insert(user);
    await recordEvent(tx, { accountId: user.accountId, clientId: null, type: 'user.created', actor: principal.actor, data: { user: userSnapshot(user) } }, now);
  });
  return { user, setupPassword };
}

/**
 * Locks the account's owners (always first, in id order, so two changes never wait on each
 * other crosswise), then the user to change. USER_NOT_FOUND when it is not there.
 */
async function lockForChange(tx: CoreContext['store'], accountId: string, id: string): Promise<{ user: User; owners: User[] }> {
  const owners = await tx.users.listOwnersForUpdate(accountId);
  const user = isUuid(id) ? await tx.users.getForUpdate(accountId, id) : null;
  if (!user) throw new AppError('USER_NOT_FOUND');
  return { user, owners };
}

/** Refuses to leave the account without an owner: `leaving` is an owner being removed or demoted. */
function keepAnOwner(owners: User[], leaving: User): void {
  if (leaving.role === 'owner' && owners.every((o) => o.id === leaving.id)) throw new AppError('LAST_OWNER', 'Make another user an owner first');
}

export async function updateUser(ctx: CoreContext, principal: Principal, id: string, change: UserChange): Promise<User> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'users:write');
  const role = change.role === undefined ? undefined : checkRole(change.role, 'body.role');
  const permissions = change.permissions === undefined ? undefined : parsePermissions(change.permissions, 'body.permissions');
  const now = ctx.now();
  let changed = false;
  const after = await ctx.store.transaction(async (tx) => {
    const { user, owners } = await lockForChange(tx, principal.accountId, id);
    requireHolds(principal, userPermissions(user));
    const next = { role: role ?? user.role, permissions: permissions ?? user.permissions };
    requireHolds(principal, userPermissions(next));
    const patch: UserPatch = {};
    if (role !== undefined && role !== user.role) patch.role = role;
    if (permissions !== undefined && (permissions.length !== user.permissions.length || permissions.some((p) => !user.permissions.includes(p)))) patch.permissions = permissions;
    const changes = Object.keys(patch);
    if (changes.length === 0) return user;
    if (patch.role !== undefined) keepAnOwner(owners, user);
    const updated = await tx.users.update(principal.accountId, id, patch, now);
    if (!updated) throw new AppError('USER_NOT_FOUND');
    changed = true;
    await announceChange(tx, { userId: id });
    await recordEvent(tx, { accountId: updated.accountId, clientId: null, type: 'user.updated', actor: principal.actor, data: { changes, user: userSnapshot(updated) } }, now);
    return updated;
  });
  if (changed) ctx.cache.invalidate({ userId: id });
  return after;
}

export async function deleteUser(ctx: CoreContext, principal: Principal, id: string): Promise<void> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'users:write');
  const now = ctx.now();
  await ctx.store.transaction(async (tx) => {
    const { user, owners } = await lockForChange(tx, principal.accountId, id);
    requireHolds(principal, userPermissions(user));
    keepAnOwner(owners, user);
    await tx.users.delete(principal.accountId, id);
    await announceChange(tx, { userId: id });
    await recordEvent(tx, { accountId: user.accountId, clientId: null, type: 'user.deleted', actor: principal.actor, data: { user: userSnapshot(user) } }, now);
  });
  ctx.cache.invalidate({ userId: id });
}

/** Changes the calling user's own password; the current one is required. */
export async function changeOwnPassword(ctx: CoreContext, principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
  const user = await getCurrentUser(ctx, principal);
  checkPassword(newPassword, 'body.newPassword');
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    throw new AppError('VALIDATION_FAILED', 'body.currentPassword: is not the current password', [{ field: 'body.currentPassword', message: 'is not the current password' }]);
  }
  if (newPassword === currentPassword) throw invalidField('body.newPassword', 'must differ from the current password');
  const passwordHash = await hashPassword(newPassword);
  const now = ctx.now();
  await ctx.store.transaction(async (tx) => {
    await tx.users.update(user.accountId, user.id, { passwordHash }, now);
    await announceChange(tx, { userId: user.id });
    await recordEvent(tx, { accountId: user.accountId, clientId: null, type: 'user.password_changed', actor: principal.actor, data: { user: userSnapshot(user) } }, now);
  });
  ctx.cache.invalidate({ userId: user.id });
}

/** A user's sign-in throttle (throttle.ts): failed sign-ins in a row and the lock, if any. */
export interface SignInLock {
  failures: number;
  locked: boolean;
  lockedUntil: Date | null;
  /** The next sign-in may not come before this (a growing delay, or the lock's end). */
  retryAfter: Date | null;
}

export async function getSignInLock(ctx: CoreContext, principal: Principal, id: string): Promise<SignInLock> {
  const user = await getUser(ctx, principal, id);
  const t = await ctx.store.loginThrottles.get(loginSubject(user.email));
  const now = ctx.now().getTime();
  if (!t) return { failures: 0, locked: false, lockedUntil: null, retryAfter: null };
  const locked = t.lockedUntil !== null && t.lockedUntil.getTime() > now;
  const until = Math.max(t.blockedUntil.getTime(), t.lockedUntil?.getTime() ?? 0);
  return { failures: t.failures, locked, lockedUntil: locked ? t.lockedUntil : null, retryAfter: until > now ? new Date(until) : null };
}

/** Lifts a user's sign-in lock and forgets its failed sign-ins (`users:write`). */
export async function unlockSignIn(ctx: CoreContext, principal: Principal, id: string): Promise<void> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'users:write');
  const user = await getUser(ctx, principal, id);
  const now = ctx.now();
  await ctx.store.transaction(async (tx) => {
    if (await tx.loginThrottles.delete(loginSubject(user.email))) {
      await recordEvent(tx, { accountId: user.accountId, clientId: null, type: 'user.unlocked', actor: principal.actor, data: { userId: user.id } }, now);
    }
  });
}
