/**
 * Two-factor authentication for users: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps,
 * one step of clock drift either way) and ten one-time recovery codes.
 *
 * - enrol: a new secret, sealed by the master key, returned once with its `otpauth://` URI;
 *   nothing changes at sign-in until a code confirms it;
 * - confirm: a valid code turns it on and returns the recovery codes, once (only their keyed
 *   hashes are kept);
 * - disable: needs a valid code (or a recovery code);
 * - every password sign-in of a user with 2FA needs a code too (`checkSecondFactor`): each
 *   TOTP step is accepted once, each recovery code once.
 */
import { timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { open, seal } from '../crypto/envelope.js';
import { hashSecret } from '../crypto/keyed-hash.js';
import { encodeBase62, randomBytes } from '../crypto/random.js';
import { announceChange } from './cache.js';
import type { CoreContext } from './context.js';
import { AppError, invalidField } from './errors.js';
import { recordEvent } from './events.js';
import type { Principal, User } from './types.js';
import { getCurrentUser, userSnapshot } from './users.js';

const ISSUER = 'Clientele';
const PERIOD = 30;
const RECOVERY_CODES = 10;

/** What a sealed TOTP secret is bound to. */
export const totpSecretAad = (userId: string) => `totp-secret:${userId}`;

function totpFor(secret: Buffer, label: string): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: new Secret({ buffer: new Uint8Array(secret).buffer }) });
}

const recoveryHash = (ctx: CoreContext, code: string) => hashSecret(ctx.pepper, `recovery:${code.replace(/[\s-]/g, '').toLowerCase()}`).toString('hex');

function newRecoveryCode(): string {
  const raw = encodeBase62(randomBytes(8), 11).toLowerCase().slice(0, 10);
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

/** The time step a TOTP code matches now (drift of one step either way), or null. */
function matchingStep(ctx: CoreContext, user: User, code: string): number | null {
  if (!user.totpSecret || !/^\d{6}$/.test(code)) return null;
  const secret = open(ctx.keyring, user.totpSecret, totpSecretAad(user.id));
  const now = ctx.now().getTime();
  const delta = totpFor(secret, user.email).validate({ token: code, timestamp: now, window: 1 });
  secret.fill(0);
  return delta === null ? null : Math.floor(now / 1000 / PERIOD) + delta;
}

/**
 * Whether `code` is a second factor of this user now: a TOTP code of a step not used before
 * (the step is then used), or one of its recovery codes (then gone). False for a user without 2FA.
 */
export async function checkSecondFactor(ctx: CoreContext, user: User, code: string | undefined): Promise<boolean> {
  if (!user.totpEnabled || !code) return false;
  const step = matchingStep(ctx, user, code.trim());
  if (step !== null) return ctx.store.users.useTotpStep(user.accountId, user.id, step);
  const hashed = Buffer.from(recoveryHash(ctx, code), 'hex');
  return ctx.store.transaction(async (tx) => {
    const current = await tx.users.getForUpdate(user.accountId, user.id);
    const left = current?.recoveryCodes ?? [];
    const match = left.find((h) => timingSafeEqual(Buffer.from(h, 'hex'), hashed));
    if (!current || !match) return false;
    await tx.users.update(user.accountId, user.id, { recoveryCodes: left.filter((h) => h !== match) }, ctx.now());
    await recordEvent(
      tx,
      { accountId: user.accountId, clientId: null, type: 'user.recovery_code_used', actor: { type: 'user', id: user.id }, data: { user: userSnapshot(current), left: left.length - 1 } },
      ctx.now(),
    );
    return true;
  });
}

/** Starts enrolment: a new secret (sealed), its base32 form and `otpauth://` URI, shown this once. */
export async function enrollTotp(ctx: CoreContext, principal: Principal): Promise<{ secret: string; otpauthUri: string }> {
  const user = await getCurrentUser(ctx, principal);
  if (user.totpEnabled) throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
  const secret = randomBytes(20);
  const totp = totpFor(secret, user.email);
  await ctx.store.users.update(user.accountId, user.id, { totpSecret: seal(ctx.keyring, secret, totpSecretAad(user.id)) }, ctx.now());
  const out = { secret: totp.secret.base32, otpauthUri: totp.toString() };
  secret.fill(0);
  return out;
}

/** Turns 2FA on with a code of the enrolled secret; the ten recovery codes are returned once. */
export async function confirmTotp(ctx: CoreContext, principal: Principal, code: string): Promise<{ recoveryCodes: string[] }> {
  const user = await getCurrentUser(ctx, principal);
  if (user.totpEnabled) throw new AppError('TWO_FACTOR_ALREADY_ENABLED');
  if (!user.totpSecret) throw new AppError('TWO_FACTOR_NOT_ENROLLED');
  const step = matchingStep(ctx, user, code.trim());
  if (step === null) throw invalidField('body.code', 'is not a valid code of the enrolled secret');
  const recoveryCodes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  const now = ctx.now();
  await ctx.store.transaction(async (tx) => {
    const updated = await tx.users.update(user.accountId, user.id, { totpEnabled: true, totpLastStep: step, recoveryCodes: recoveryCodes.map((c) => recoveryHash(ctx, c)) }, now);
    await announceChange(tx, { userId: user.id });
    await recordEvent(tx, { accountId: user.accountId, clientId: null, type: 'user.2fa_enabled', actor: principal.actor, data: { user: userSnapshot(updated ?? user) } }, now);
  });
  ctx.cache.invalidate({ userId: user.id });
  return { recoveryCodes };
}

/** Turns 2FA off; needs a current code or a recovery code. */
export async function disableTotp(ctx: CoreContext, principal: Principal, code: string): Promise<void> {
  const user = await getCurrentUser(ctx, principal);
  if (!user.totpEnabled) throw new AppError('TWO_FACTOR_NOT_ENROLLED');
  if (!(await checkSecondFactor(ctx, user, code))) throw invalidField('body.code', 'is not a valid code');
  const now = ctx.now();
  await ctx.store.transaction(async (tx) => {
    const updated = await tx.users.update(user.accountId, user.id, { totpEnabled: false, totpSecret: null, totpLastStep: null, recoveryCodes: [] }, now);
    await announceChange(tx, { userId: user.id });
    await recordEvent(tx, { accountId: user.accountId, clientId: null, type: 'user.2fa_disabled', actor: principal.actor, data: { user: userSnapshot(updated ?? user) } }, now);
  });
  ctx.cache.invalidate({ userId: user.id });
}
