/** Row ↔ domain mappers for the SQL store. */
import type { Selectable } from 'kysely';
import type { Account, ApiKey, Client, DomainEvent, User } from '../core/types.js';
import type { SigningKeyRecord } from '../core/ports.js';
import type { AccountsTable, ApiKeysTable, ClientsTable, EventsTable, SigningKeysTable, UsersTable } from './schema.js';

export const toAccount = (r: Selectable<AccountsTable>): Account => ({
  id: r.id,
  name: r.name,
  requireTwoFactor: r.require_two_factor,
  ratelimits: r.ratelimits,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toUser = (r: Selectable<UsersTable>): User => ({
  id: r.id,
  accountId: r.account_id,
  email: r.email,
  passwordHash: r.password_hash,
  role: r.role,
  permissions: r.permissions,
  totpSecret: r.totp_secret,
  totpEnabled: r.totp_enabled,
  totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
  recoveryCodes: r.recovery_codes,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Every column the Client mapper reads: what the store selects (no `SELECT *`, so a column added by a later migration changes no prepared statement's result). */
export const CLIENT_COLUMNS = [
  'id',
  'account_id',
  'name',
  'description',
  'siret',
  'username',
  'email_address',
  'first_name',
  'last_name',
  'company',
  'password_hash',
  'is_active',
  'features',
  'limits',
  'metadata',
  'ratelimits',
  'data_key',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof ClientsTable>;

/** Every column the ApiKey mapper reads (see CLIENT_COLUMNS). */
export const API_KEY_COLUMNS = [
  'key_id',
  'account_id',
  'client_id',
  'name',
  'is_primary',
  'enabled',
  'scopes',
  'permissions',
  'ratelimits',
  'secret_hash',
  'secret_hint',
  'previous_secret_hash',
  'previous_secret_expires_at',
  'expires_at',
  'last_used_at',
  'use_count',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof ApiKeysTable>;

export type ClientRow = Pick<Selectable<ClientsTable>, (typeof CLIENT_COLUMNS)[number]>;
export type ApiKeyRow = Pick<Selectable<ApiKeysTable>, (typeof API_KEY_COLUMNS)[number]>;

export const toClient = (r: ClientRow): Client => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  description: r.description,
  siret: r.siret,
  username: r.username,
  emailAddress: r.email_address,
  firstName: r.first_name,
  lastName: r.last_name,
  company: r.company,
  passwordHash: r.password_hash,
  isActive: r.is_active,
  features: r.features,
  limits: r.limits,
  metadata: r.metadata,
  ratelimits: r.ratelimits,
  dataKey: r.data_key,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toApiKey = (r: ApiKeyRow): ApiKey => ({
  keyId: r.key_id,
  accountId: r.account_id,
  clientId: r.client_id,
  name: r.name,
  isPrimary: r.is_primary,
  enabled: r.enabled,
  scopes: r.scopes,
  permissions: r.permissions,
  ratelimits: r.ratelimits,
  secretHash: r.secret_hash,
  secretHint: r.secret_hint,
  previousSecretHash: r.previous_secret_hash,
  previousSecretExpiresAt: r.previous_secret_expires_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  useCount: Number(r.use_count),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toEvent = (r: Selectable<EventsTable>): DomainEvent => ({
  id: r.id,
  accountId: r.account_id,
  clientId: r.client_id,
  type: r.type,
  actor: r.actor as unknown as DomainEvent['actor'],
  data: r.data,
  createdAt: r.created_at,
});

export const toSigningKey = (r: Selectable<SigningKeysTable>): SigningKeyRecord => ({
  kid: r.kid,
  algorithm: r.algorithm,
  publicJwk: r.public_jwk,
  privateKey: r.private_key,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
  publishUntil: r.publish_until,
});

/** Column values for a client patch (only the keys present in the patch). */
export function clientPatchColumns(patch: Partial<Client>): Record<string, unknown> {
  const map: Record<string, string> = {
    name: 'name',
    description: 'description',
    siret: 'siret',
    username: 'username',
    emailAddress: 'email_address',
    firstName: 'first_name',
    lastName: 'last_name',
    company: 'company',
    passwordHash: 'password_hash',
    isActive: 'is_active',
    features: 'features',
    limits: 'limits',
    metadata: 'metadata',
    ratelimits: 'ratelimits',
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const col = map[k];
    if (!col || v === undefined) continue;
    out[col] = col === 'features' || col === 'limits' || col === 'metadata' || col === 'ratelimits' ? JSON.stringify(v) : v;
  }
  return out;
}

export function keyPatchColumns(patch: Partial<ApiKey>): Record<string, unknown> {
  const map: Record<string, string> = {
    name: 'name',
    isPrimary: 'is_primary',
    enabled: 'enabled',
    scopes: 'scopes',
    permissions: 'permissions',
    ratelimits: 'ratelimits',
    expiresAt: 'expires_at',
    secretHash: 'secret_hash',
    secretHint: 'secret_hint',
    previousSecretHash: 'previous_secret_hash',
    previousSecretExpiresAt: 'previous_secret_expires_at',
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const col = map[k];
    if (!col || v === undefined) continue;
    out[col] = col === 'scopes' || col === 'permissions' || col === 'ratelimits' ? JSON.stringify(v) : v;
  }
  return out;
}
