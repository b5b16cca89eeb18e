/**
 * Least privilege: the one table of management permissions, the roles, and the checks.
 *
 * Every account credential carries permissions: an account API key its own list, a user
 * those of its role (plus any given to it). Each core entry point names the one permission
 * it needs (`requirePermission`), so every surface refuses alike, each in its own format.
 * A credential never makes another with more power than its own (`requireHolds`).
 *
 * Permissions are not a key's `scopes`: scopes are the platform's own application scopes,
 * which verify returns to it; Clientele gives them no meaning.
 *
 * Client credentials (a client's keys, its password login) carry no permissions: they act
 * on their own client only, by the rules of `access.ts`. An account credential narrowed to
 * one client (a token with `client_uid`) keeps its own permissions.
 */
import { AppError, invalidField } from './errors.js';
import type { Principal } from './types.js';

/** Every permission and what it allows — the source of the table in docs/permissions.md. */
export const PERMISSIONS = {
  'clients:read': 'List, search and read clients, their integrations (status only), webhook-secret status and usage counts shown with them',
  'clients:write': 'Create, update, activate, deactivate and delete clients',
  'keys:read': 'List and read API keys (never a secret)',
  'keys:write': 'Create, update, reset and delete API keys (never one with more power than the caller)',
  'keys:verify': 'Verify a key: POST /v1/keys/verify',
  'integrations:write': "Set, replace, delete and test a client's integration credentials; rotate its client-held key",
  'webhooks:read': 'List and read webhook endpoints and their deliveries; webhook-secret status',
  'webhooks:write': 'Create, update and delete webhook endpoints, redeliver, send test events; generate and delete webhook secrets',
  'events:read': 'Read the audit log',
  'usage:read': 'Read usage counters',
  'usage:write': 'Record usage',
  'users:read': "List and read the account's users",
  'users:write': 'Create users, change their role and permissions, remove them',
  'account:write': "Change the account's settings",
  'ratelimit:check': 'Check and spend a rate limit: POST /v1/ratelimit',
  'ratelimit:read': "List the rate-limit namespaces' overrides",
  'ratelimit:write': 'Set and delete rate-limit overrides',
  '*': 'Everything, including permissions added later',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export type Role = 'owner' | 'admin' | 'viewer';

/** What each role holds. */
export const ROLES: Record<Role, readonly Permission[]> = {
  owner: ['*'],
  admin: PERMISSION_NAMES.filter((p) => p !== '*' && !p.startsWith('users:') && p !== 'account:write'),
  viewer: PERMISSION_NAMES.filter((p) => p.endsWith(':read')),
};

/**
 * What a client credential can do on its own client, whoever holds it: creating (or
 * resetting, or changing) a client's key hands that power over, so the caller must hold it all.
 */
export const CLIENT_CREDENTIAL_POWER: readonly Permission[] = [
  'clients:read',
  'clients:write',
  'keys:read',
  'keys:write',
  'keys:verify',
  'integrations:write',
  'webhooks:read',
  'webhooks:write',
  'events:read',
  'usage:read',
];

function isPermission(name: string): name is Permission {
  return Object.hasOwn(PERMISSIONS, name);
}

/** A `:write` permission includes its `:read`: whoever may change a thing may read it (and the change's answer shows it). */
const INCLUDED_BY: Partial<Record<Permission, Permission>> = {
  'clients:read': 'clients:write',
  'keys:read': 'keys:write',
  'webhooks:read': 'webhooks:write',
  'usage:read': 'usage:write',
  'users:read': 'users:write',
  'ratelimit:read': 'ratelimit:write',
};

/** Whether `granted` includes `needed` (`*` includes everything; a `:write` its `:read`). */
export function grants(granted: readonly string[], needed: Permission): boolean {
  if (granted.includes('*') || granted.includes(needed)) return true;
  const including = INCLUDED_BY[needed];
  return including !== undefined && granted.includes(including);
}

/**
 * The permissions a principal acts with. A client's own credential has none of its own: its
 * own-client rule (access.ts) bounds what it reaches, and within its client it may do what a
 * client credential does — never more, whatever a new operation forgets to refuse. An account
 * principal always names its permissions; one that does not holds none (fail closed).
 */
function permissionsOf(principal: Principal): readonly string[] {
  return principal.permissions ?? (principal.kind === 'client' ? CLIENT_CREDENTIAL_POWER : []);
}

/** Refuses, with PERMISSION_DENIED naming it, a principal that lacks `needed`. */
export function requirePermission(principal: Principal, needed: Permission): void {
  if (!grants(permissionsOf(principal), needed)) throw new AppError('PERMISSION_DENIED', `This credential lacks the ${needed} permission`);
}

/** Refuses to hand over power the principal does not hold itself (creating, changing or resetting a credential). */
export function requireHolds(principal: Principal, power: readonly string[]): void {
  const held = permissionsOf(principal);
  const missing = power.filter((p) => !(isPermission(p) && grants(held, p)));
  if (missing.length > 0) throw new AppError('PERMISSION_DENIED', `This credential may not grant what it does not hold: ${missing.join(', ')}`);
}

/** A permission list from input: known names, no duplicates; `field` names it in errors. */
export function parsePermissions(input: readonly string[], field: string): Permission[] {
  input.forEach((p, i) => {
    if (!isPermission(p)) throw invalidField(`${field}.${i}`, `is not a permission (${PERMISSION_NAMES.join(', ')})`);
  });
  return [...new Set(input)] as Permission[];
}

/** The permissions a user acts with: its role's and those given to it. */
export function userPermissions(user: { role: Role; permissions: readonly string[] }): Permission[] {
  return [...new Set([...ROLES[user.role], ...user.permissions.filter(isPermission)])];
}
