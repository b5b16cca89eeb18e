/**
 * Accounts (tenants) and their users. `createAccount` is the bootstrap used by
 * `clientele init` and by the first start on an empty database: account, admin user and
 * primary account key, in one transaction.
 */
import { hashPassword } from '../crypto/passwords.js';
import { encodeBase62, randomBytes, uuidv7 } from '../crypto/random.js';
import { createKey, type IssuedKey } from './api-keys.js';
import type { CoreContext } from './context.js';
import { requireAccountPrincipal } from './access.js';
import { AppError, invalidField } from './errors.js';
import { requirePermission } from './permissions.js';
import { EMAIL } from './clients.js';
import { checkPassword } from './users.js';
import { recordEvent } from './events.js';
import { type Account, NO_SECOND_FACTOR, type Principal, type User } from './types.js';
import { announceChange } from './cache.js';
import { checkRateLimitSpecs, type RateLimitSpecInput } from './rate-limits.js';

export interface NewAccount {
  name: string;
  email: string;
  /** Generated (and returned) when absent. */
  password?: string;
}

export interface CreatedAccount {
  account: Account;
  user: User;
  password: string;
  apiKey: IssuedKey;
}

export async function createAccount(ctx: CoreContext, input: NewAccount): Promise<CreatedAccount> {
  if (!input.name.trim()) throw invalidField('name', 'must not be empty');
  if (!EMAIL.test(input.email)) throw invalidField('email', 'must be an e-mail address');
  const password = input.password ?? encodeBase62(randomBytes(18), 25);
  checkPassword(password, 'password');
  const passwordHash = await hashPassword(password);
  const now = ctx.now();
  const account: Account = { id: uuidv7(), name: input.name.trim(), requireTwoFactor: false, ratelimits: [], createdAt: now, updatedAt: now };
  const user: User = { id: uuidv7(), accountId: account.id, email: input.email, passwordHash, role: 'owner', permissions: [], ...NO_SECOND_FACTOR, createdAt: now, updatedAt: now };
  const system: Principal = { kind: 'account', accountId: account.id, actor: { type: 'system', id: 'bootstrap' }, permissions: ['*'] };
  return ctx.store.transaction(async (tx) => {
    await tx.accounts.insert(account);
    await tx.users.insert(user);
    await recordEvent(tx, { accountId: account.id, clientId: null, type: 'account.created', actor: system.actor, data: { accountId: account.id, name: account.name, userEmail: user.email } }, now);
    const apiKey = await createKey({ ...ctx, store: tx }, system, { name: 'Primary account key', isPrimary: true });
    return { account, user, password, apiKey };
  });
}

export interface AccountSettings {
  requireTwoFactor?: boolean;
  /** Rate limits for every key of the account that has none of the same name (each key counted on its own). */
  ratelimits?: RateLimitSpecInput[];
}

/**
 * Changes the account's settings (`account:write`). Requiring two-factor authentication is
 * refused to a user who has not turned it on (they would lock themselves out of everything).
 */
export async function updateAccountSettings(ctx: CoreContext, principal: Principal, settings: AccountSettings): Promise<Account> {
  requireAccountPrincipal(principal);
  requirePermission(principal, 'account:write');
  if (settings.requireTwoFactor && principal.actor.type === 'user') {
    const me = await ctx.store.users.get(principal.accountId, principal.actor.id);
    if (!me?.totpEnabled) throw new AppError('TWO_FACTOR_NOT_ENROLLED', 'Turn on your own two-factor authentication before requiring it of everyone');
  }
  const ratelimits = settings.ratelimits === undefined ? undefined : checkRateLimitSpecs(settings.ratelimits, 'body.ratelimits');
  const now = ctx.now();
  const updated = await ctx.store.transaction(async (tx) => {
    const updated = await tx.accounts.update(
      principal.accountId,
      { ...(settings.requireTwoFactor !== undefined ? { requireTwoFactor: settings.requireTwoFactor } : {}), ...(ratelimits !== undefined ? { ratelimits } : {}) },
      now,
    );
    if (!updated) throw new AppError('NOT_FOUND');
    await announceChange(tx, { accountId: updated.id });
    await recordEvent(
      tx,
      { accountId: updated.id, clientId: null, type: 'account.updated', actor: principal.actor, data: { requireTwoFactor: updated.requireTwoFactor, ratelimits: updated.ratelimits } },
      now,
    );
    return updated;
  });
  ctx.cache.invalidate({ accountId: updated.id });
  return updated;
}
