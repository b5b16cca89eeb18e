/** Domain records. Plain data: no behaviour, no wire or SQL concerns. */

/**
 * A rate limit checked by key verification (docs/rate-limits.md): at most `limit` units per
 * `duration` milliseconds; `autoApply` limits are checked on every verify, the others only
 * when the verify names them.
 */
export interface RateLimitSpec {
  name: string;
  limit: number;
  duration: number;
  autoApply: boolean;
}

/** A namespace's limit for one identifier of POST /v1/ratelimit, replacing the one requests name. */
export interface RateLimitOverride {
  accountId: string;
  namespace: string;
  identifier: string;
  limit: number;
  duration: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Failed sign-ins of one login name: the delay before the next attempt, and the lock. */
export interface LoginThrottle {
  subject: string;
  failures: number;
  blockedUntil: Date;
  lockedUntil: Date | null;
  updatedAt: Date;
}

export interface Account {
  id: string;
  name: string;
  /** Defaults for every key of the account (each key counted on its own). */
  ratelimits: RateLimitSpec[];
  /** Every user must have two-factor authentication; one without it may only set it up. */
  requireTwoFactor: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A browser session of a user; the cookie's token is never stored, only its keyed hash. */
export interface Session {
  id: string;
  tokenHash: Buffer;
  accountId: string;
  userId: string;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  /** The absolute end; idle expiry is judged from lastSeenAt. */
  expiresAt: Date;
}

/** A user without two-factor authentication (what a new user is). */
export const NO_SECOND_FACTOR: Readonly<Pick<User, 'totpSecret' | 'totpEnabled' | 'totpLastStep' | 'recoveryCodes'>> = { totpSecret: null, totpEnabled: false, totpLastStep: null, recoveryCodes: [] };

export interface User {
  id: string;
  accountId: string;
  email: string;
  /** argon2id (or imported bcrypt) hash; never leaves the core. */
  passwordHash: string;
  role: 'owner' | 'admin' | 'viewer';
  /** Given beyond the role's (permissions.ts). */
  permissions: string[];
  /** TOTP shared secret, sealed by the master key; set at enrolment, in use once `totpEnabled`. */
  totpSecret: Buffer | null;
  totpEnabled: boolean;
  /** The last TOTP time step accepted (each code works once). */
  totpLastStep: number | null;
  /** Keyed hashes of the unused recovery codes. */
  recoveryCodes: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface Client {
  id: string;
  accountId: string;
  name: string;
  description: string | null;
  siret: string | null;
  username: string | null;
  emailAddress: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  /** Write-only on every surface. */
  passwordHash: string | null;
  isActive: boolean;
  features: Record<string, boolean>;
  limits: Record<string, number>;
  metadata: Record<string, unknown>;
  /** Shared by all its keys. */
  ratelimits: RateLimitSpec[];
  /** The client's data key, wrapped by the master key. */
  dataKey: Buffer;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApiKey {
  keyId: string;
  accountId: string;
  /** null for an account-level key. */
  clientId: string | null;
  name: string | null;
  isPrimary: boolean;
  enabled: boolean;
  /** The platform's application scopes, returned by verify; no meaning to Clientele. */
  scopes: string[];
  /** Management permissions (permissions.ts) of an account key; always empty for a client's key. */
  permissions: string[];
  ratelimits: RateLimitSpec[];
  /** HMAC-SHA-256(pepper, secret); the secret itself is never stored. */
  secretHash: Buffer;
  secretHint: string;
  /** The secret replaced by the last reset, accepted until `previousSecretExpiresAt`. */
  previousSecretHash: Buffer | null;
  previousSecretExpiresAt: Date | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  useCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Who did something: a user, an API key, a client logging in with its password, or the server. */
export interface Actor {
  type: 'user' | 'key' | 'client' | 'system';
  id: string;
}

export interface DomainEvent {
  id: string;
  accountId: string;
  clientId: string | null;
  /** Dotted lower-case name, e.g. `client.created`. */
  type: string;
  actor: Actor;
  /** Never contains a secret. */
  data: Record<string, unknown>;
  createdAt: Date;
}

/** An authenticated caller. */
/**
 * Who a request acts as. `permissions`: what an account credential may do (permissions.ts);
 * absent for a client's own credential, which its own-client rule bounds instead.
 */
export type Principal =
  | { kind: 'account'; accountId: string; actor: Actor; scopes?: string[]; permissions?: readonly string[]; sessionId?: string }
  | { kind: 'client'; accountId: string; clientId: string; actor: Actor; scopes?: string[]; permissions?: readonly string[] };

/** A page of results in keyset order; `nextCursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type IntegrationKind = 'pdp' | 'chorus-pro';
export type EncryptionMode = 'fernet' | 'double';

/** Third-party credentials of one client. Secret fields live only inside `secrets` (sealed). */
export interface Integration {
  id: string;
  /** Small public number (FactPulse `id`). */
  number: number;
  accountId: string;
  clientId: string;
  kind: IntegrationKind;
  /** Non-secret fields, as configured. */
  settings: Record<string, unknown>;
  encryptionMode: EncryptionMode;
  /** Sealed JSON of the secret fields (see core/integrations.ts for the layers). */
  secrets: Buffer;
  lastTestAt: Date | null;
  lastTestSuccess: boolean | null;
  lastTestError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A client's webhook signing secret, sealed under the client's data key. */
export interface ClientWebhookSecret {
  clientId: string;
  accountId: string;
  secret: Buffer;
  createdAt: Date;
}

export type WebhookFormat = 'native' | 'factpulse';

export interface WebhookEndpoint {
  id: string;
  accountId: string;
  url: string;
  /** Event-type patterns (`client.*`); null = every event. */
  events: string[] | null;
  /** Only events of this client, when set. */
  clientId: string | null;
  format: WebhookFormat;
  enabled: boolean;
  disabledReason: string | null;
  /** Start of the current run of failed deliveries (null when the last one succeeded). */
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type DeliveryStatus = 'pending' | 'sending' | 'succeeded' | 'failed' | 'waiting_secret';

export interface WebhookDelivery {
  id: string;
  accountId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  clientId: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastAttemptAt: Date | null;
  responseStatus: number | null;
  responseBody: string | null;
  latencyMs: number | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The account's default webhook secret (sealed), with the one it replaced during a grace period. */
export interface AccountWebhookSecret {
  accountId: string;
  secret: Buffer;
  previousSecret: Buffer | null;
  previousExpiresAt: Date | null;
  createdAt: Date;
}
