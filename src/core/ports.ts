/**
 * The storage port. The core talks to persistence only through this interface; one SQL
 * implementation serves both PostgreSQL and the embedded engine, and one conformance
 * suite (`test/storage/store-conformance*.test.ts`) holds every implementation to it.
 *
 * Atomicity: each method is atomic on its own. `transaction(fn)` runs `fn` with a store
 * bound to one database transaction: everything it writes commits together, or — when
 * `fn` throws — nothing does. Inside `fn` use only the store it receives (the embedded
 * engine has a single connection; a query on the outer store would wait forever).
 * `transaction(fn)` on a store that is already bound to a transaction nests (a savepoint):
 * `fn`'s writes commit with the enclosing transaction, and when `fn` throws they alone are
 * undone and the enclosing transaction goes on.
 *
 * Uniqueness: `clients.insert/update` throw AppError USERNAME_TAKEN, `users.insert`
 * EMAIL_TAKEN, and `apiKeys.insert/update` a PrimaryConflict when the unique index that
 * keeps one primary key per owner would break, even under concurrent writers.
 */
import type {
  Account,
  AccountWebhookSecret,
  ApiKey,
  LoginThrottle,
  RateLimitOverride,
  Client,
  ClientWebhookSecret,
  DeliveryStatus,
  DomainEvent,
  Integration,
  IntegrationKind,
  Session,
  User,
  WebhookDelivery,
  WebhookEndpoint,
} from './types.js';

export interface ClientFilter {
  limit: number;
  /** Return records whose id sorts after this one (keyset pagination). */
  afterId?: string;
  /** Case-insensitive substring of name, username, e-mail or company. */
  q?: string;
  username?: string;
  emailAddress?: string;
  isActive?: boolean;
}

export type ClientPatch = Partial<
  Pick<Client, 'name' | 'description' | 'siret' | 'username' | 'emailAddress' | 'firstName' | 'lastName' | 'company' | 'passwordHash' | 'isActive' | 'features' | 'limits' | 'metadata' | 'ratelimits'>
>;

interface KeyFilter {
  limit: number;
  afterKeyId?: string;
  /** undefined: every key of the account; null: account-level keys only; a client id: that client's. */
  clientId?: string | null;
  /** With clientId undefined: only keys owned by some client. */
  clientOwned?: boolean;
}

export type UserPatch = Partial<Pick<User, 'role' | 'permissions' | 'passwordHash' | 'totpSecret' | 'totpEnabled' | 'totpLastStep' | 'recoveryCodes'>>;

export type KeyPatch = Partial<
  Pick<ApiKey, 'name' | 'isPrimary' | 'enabled' | 'scopes' | 'permissions' | 'ratelimits' | 'expiresAt' | 'secretHash' | 'secretHint' | 'previousSecretHash' | 'previousSecretExpiresAt'>
>;

/** How failed sign-ins of one subject delay and lock it (core/throttle.ts). */
export interface AdmitRule {
  forgetBefore: Date;
  /** Failures before each further one delays the next attempt (0: no delays). */
  freeFailures: number;
  maxDelaySeconds: number;
  /** Failures that lock (0: never). */
  lockFailures: number;
  lockedUntil: Date;
}

export interface EventFilter {
  limit: number;
  /** Ids strictly after this one (ascending) or before it (descending): the cursor. */
  afterId?: string;
  beforeId?: string;
  /** Ids at or after this one (a time's first UUIDv7) and strictly before that one: a time range. */
  fromId?: string;
  untilId?: string;
  type?: string;
  clientId?: string;
  actorId?: string;
  /** Default ascending (oldest first). */
  order?: 'asc' | 'desc';
}

/** A key with its owning client (null for an account's own key). */
export interface KeyWithClient {
  key: ApiKey;
  client: Client | null;
}

export interface KeyUse {
  keyId: string;
  count: number;
  lastUsedAt: Date;
}

/** One increment of one counter row. */
export interface UsageDelta {
  accountId: string;
  clientId: string;
  metric: string;
  /** 'all' or 'YYYY-MM'. */
  period: string;
  /** '' for the metric's overall value. */
  dimension: string;
  amount: number;
}

export interface UsageRow {
  clientId: string;
  metric: string;
  period: string;
  dimension: string;
  value: number;
}

export interface IdempotencyRecord {
  accountId: string;
  principal: string;
  key: string;
  requestHash: Buffer;
  /**
   * 0 while the first request is still running. The claim, the work and the completed
   * response commit in one transaction (src/http/idempotency.ts), so a committed 0 is left
   * only by versions that committed the claim before the work.
   */
  statusCode: number;
  /** The response, sealed by the master key (empty while running). */
  response: Buffer;
  createdAt: Date;
}

export interface SigningKeyRecord {
  kid: string;
  algorithm: string;
  publicJwk: Record<string, unknown>;
  privateKey: Buffer;
  createdAt: Date;
  retiredAt: Date | null;
  publishUntil: Date | null;
}

export interface Store {
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Cheap liveness query for readiness checks. */
  ping(): Promise<void>;
  /** PostgreSQL NOTIFY; inside a transaction it is delivered only on commit. */
  notify(channel: string, payload: string): Promise<void>;

  accounts: {
    insert(account: Account): Promise<void>;
    get(id: string): Promise<Account | null>;
    count(): Promise<number>;
    update(id: string, patch: Partial<Pick<Account, 'requireTwoFactor' | 'ratelimits'>>, at: Date): Promise<Account | null>;
  };
  rateLimitOverrides: {
    /** The namespace's overrides, by identifier. */
    listNamespace(accountId: string, namespace: string): Promise<RateLimitOverride[]>;
    /** Every override of the account (a bounded number: core/rate-limits.ts MAX_OVERRIDES). */
    listAccount(accountId: string): Promise<RateLimitOverride[]>;
    get(accountId: string, namespace: string, identifier: string): Promise<RateLimitOverride | null>;
    countAccount(accountId: string): Promise<number>;
    /** Inserts or replaces (keeping createdAt); returns the row as stored. */
    upsert(o: RateLimitOverride): Promise<RateLimitOverride>;
    delete(accountId: string, namespace: string, identifier: string): Promise<boolean>;
  };
  loginThrottles: {
    get(subject: string): Promise<LoginThrottle | null>;
    /**
     * Lets one sign-in attempt in, atomically: refused (nothing changes) while the subject is
     * delayed or locked; otherwise counted as a failure in advance (from 1 again when the last
     * was before `rule.forgetBefore`), with the delay and lock that failure brings. Concurrent
     * attempts are serialised on the subject's row, so each sees the one before.
     */
    admit(subject: string, at: Date, rule: AdmitRule): Promise<{ admitted: boolean; throttle: LoginThrottle }>;
    delete(subject: string): Promise<boolean>;
    /** Forgets throttles untouched since `before`. */
    prune(before: Date): Promise<void>;
  };
  users: {
    insert(user: User): Promise<void>;
    findByEmail(email: string): Promise<User | null>;
    get(accountId: string, id: string): Promise<User | null>;
    /** Same as get, holding a row lock until the transaction ends. */
    getForUpdate(accountId: string, id: string): Promise<User | null>;
    /** The account's users in id order (keyset: those after `afterId`). */
    list(accountId: string, filter: { limit: number; afterId?: string }): Promise<User[]>;
    /** The account's owners, each row locked until the transaction ends (the last-owner rule). */
    listOwnersForUpdate(accountId: string): Promise<User[]>;
    update(accountId: string, id: string, patch: UserPatch, at: Date): Promise<User | null>;
    /** Records a TOTP step as used unless it (or a later one) already was: false when the code was used. */
    useTotpStep(accountId: string, id: string, step: number): Promise<boolean>;
    delete(accountId: string, id: string): Promise<boolean>;
  };
  sessions: {
    insert(session: Session): Promise<void>;
    findByTokenHash(tokenHash: Buffer): Promise<Session | null>;
    /** Moves lastSeenAt forward (idle expiry). */
    touch(id: string, at: Date): Promise<void>;
    /** A user's sessions still within their absolute expiry, newest first. */
    listForUser(accountId: string, userId: string, now: Date): Promise<Session[]>;
    delete(accountId: string, userId: string, id: string): Promise<boolean>;
  };
  clients: {
    insert(client: Client): Promise<void>;
    /**
     * Inserts many clients in one statement (a batch create), each exactly as `insert` would.
     * A client whose username (case-insensitively) is already used in its account — by a
     * committed client, by a concurrent transaction that then commits (waited for, as
     * `insert` waits), or by an earlier client of the same call — is skipped instead of
     * failing the statement. Returns the ids inserted, in input order. Rows are written in
     * username order, so concurrent calls lock the usernames they share in the same order.
     */
    insertMany(clients: Client[]): Promise<string[]>;
    get(accountId: string, id: string): Promise<Client | null>;
    /** Looks a client up by id alone — only for logins, which carry no account. */
    getById(id: string): Promise<Client | null>;
    /** Same as get, holding a row lock until the transaction ends. */
    getForUpdate(accountId: string, id: string): Promise<Client | null>;
    findByUsername(accountId: string, username: string): Promise<Client | null>;
    update(accountId: string, id: string, patch: ClientPatch, at: Date): Promise<Client | null>;
    delete(accountId: string, id: string): Promise<boolean>;
    list(accountId: string, filter: ClientFilter): Promise<Client[]>;
    /** Offset page in id order (FactPulse page/pageSize) with the account's total. */
    listPage(accountId: string, offset: number, limit: number): Promise<{ rows: Client[]; total: number }>;
  };
  integrations: {
    get(accountId: string, clientId: string, kind: IntegrationKind): Promise<Integration | null>;
    /** Every integration of these clients (one query for a page of clients). */
    listForClients(accountId: string, clientIds: string[]): Promise<Integration[]>;
    /** The client's integrations, locked for update (rotation). */
    listForUpdate(accountId: string, clientId: string): Promise<Integration[]>;
    /** Inserts or replaces the (client, kind) integration; returns the stored row. */
    upsert(integration: Omit<Integration, 'number'>): Promise<Integration>;
    updateSecrets(id: string, secrets: Buffer, at: Date): Promise<void>;
    recordTest(id: string, result: { at: Date; success: boolean; error: string | null }): Promise<Integration | null>;
    delete(accountId: string, clientId: string, kind: IntegrationKind): Promise<boolean>;
  };
  usage: {
    /**
     * Adds the deltas (creating rows as needed); returns the new values in input order. A row
     * whose value would leave ±Number.MAX_SAFE_INTEGER is left unchanged and its value given
     * as ±Infinity (never a database overflow error); the caller decides whether to refuse.
     */
    add(deltas: UsageDelta[], at: Date): Promise<number[]>;
    /** Counter rows of these clients for the given periods (optionally one metric). */
    list(accountId: string, clientIds: string[], periods: string[], metric?: string): Promise<UsageRow[]>;
  };
  webhooks: {
    insertEndpoint(endpoint: WebhookEndpoint): Promise<void>;
    /** With `lock`, in a transaction: held FOR KEY SHARE (it cannot be deleted) until the transaction ends. */
    getEndpoint(accountId: string, id: string, lock?: boolean): Promise<WebhookEndpoint | null>;
    listEndpoints(accountId: string, filter: { limit: number; afterId?: string }): Promise<WebhookEndpoint[]>;
    updateEndpoint(accountId: string, id: string, patch: EndpointPatch, at: Date): Promise<WebhookEndpoint | null>;
    deleteEndpoint(accountId: string, id: string): Promise<boolean>;
    /**
     * Call in a transaction before adding or deleting an endpoint: locks the account row
     * (FOR NO KEY UPDATE, so foreign-key checks of ordinary writes still pass) until the
     * transaction ends, then counts the account's endpoints. Concurrent callers for one
     * account take turns, so a count is never stale and two deletions never deadlock in
     * each other's fan-out.
     */
    lockEndpointsOf(accountId: string): Promise<number>;
    /**
     * The outbox: one pending delivery per enabled endpoint of the account whose filters
     * match the event. Called in the transaction that records the event. The endpoints are
     * locked FOR KEY SHARE: one being deleted concurrently is either waited for and skipped,
     * or deleted after this transaction (its deliveries going with it) — never a broken
     * foreign key.
     */
    enqueueForEvent(event: DomainEvent): Promise<number>;
    /** enqueueForEvent for many events at once (one read of the endpoints, one insert); returns the deliveries added. */
    enqueueForEvents(events: DomainEvent[]): Promise<number>;
    insertDelivery(delivery: WebhookDelivery): Promise<void>;
    /**
     * Claims up to `limit` due deliveries (pending and due, or sending with an expired
     * lease) with FOR UPDATE SKIP LOCKED, marks them `sending` until `leaseUntil`, and
     * returns them, oldest due first, each with what sending it needs (its endpoint, its
     * event, the sealed secrets that sign it) — one round trip. Concurrent callers never
     * claim the same row. With `perEndpoint`, no endpoint gets more than `perEndpoint` minus
     * its count in `held` (the caller's deliveries of that endpoint still in flight).
     * `results` (outcomes of earlier claims) are written first, in the same round trip, as
     * recordResults writes them.
     */
    claimDue(now: Date, claim: { limit: number; leaseUntil: Date; perEndpoint?: number; held?: ReadonlyMap<string, number>; results?: DeliveryResult[] }): Promise<ClaimedDelivery[]>;
    /**
     * Writes the outcomes of claimed deliveries (one statement for all): every column of the
     * patch, the lease cleared. A row whose lease is no longer `claimedLease` (claimed again
     * after its lease expired, or redelivered meanwhile) is left alone. Returns how many were written.
     */
    recordResults(results: DeliveryResult[], at: Date): Promise<number>;
    updateDelivery(id: string, patch: DeliveryPatch, at: Date): Promise<WebhookDelivery | null>;
    getDelivery(accountId: string, id: string): Promise<WebhookDelivery | null>;
    listDeliveries(accountId: string, endpointId: string, filter: { limit: number; afterId?: string }): Promise<WebhookDelivery[]>;
    /** Makes deliveries that waited for a secret due now; returns how many. */
    wakeWaiting(accountId: string, at: Date): Promise<number>;
  };
  accountWebhookSecrets: {
    get(accountId: string): Promise<AccountWebhookSecret | null>;
    put(secret: AccountWebhookSecret): Promise<void>;
    delete(accountId: string): Promise<boolean>;
  };
  webhookSecrets: {
    get(accountId: string, clientId: string): Promise<ClientWebhookSecret | null>;
    /** Inserts or replaces the client's secret. */
    put(secret: ClientWebhookSecret): Promise<void>;
    delete(accountId: string, clientId: string): Promise<boolean>;
  };
  apiKeys: {
    insert(key: ApiKey): Promise<void>;
    /** Looks a key up by its public id in any account (authentication). */
    get(keyId: string): Promise<ApiKey | null>;
    /** The key and, when a client owns it, that client: what a verification needs, in one read. */
    getWithClient(keyId: string): Promise<KeyWithClient | null>;
    getForUpdate(accountId: string, keyId: string): Promise<ApiKey | null>;
    /** The owner's primary key, locked for update. */
    findPrimaryForUpdate(accountId: string, clientId: string | null): Promise<ApiKey | null>;
    countForOwner(accountId: string, clientId: string | null): Promise<number>;
    update(accountId: string, keyId: string, patch: KeyPatch, at: Date): Promise<ApiKey | null>;
    delete(accountId: string, keyId: string): Promise<boolean>;
    list(accountId: string, filter: KeyFilter): Promise<ApiKey[]>;
    /** Adds use counts and advances lastUsedAt (never moves it back). */
    recordUses(uses: KeyUse[]): Promise<void>;
  };
  events: {
    append(event: DomainEvent): Promise<void>;
    /** Appends many events in one statement. */
    appendMany(events: DomainEvent[]): Promise<void>;
    get(accountId: string, id: string): Promise<DomainEvent | null>;
    list(accountId: string, filter: EventFilter): Promise<DomainEvent[]>;
  };
  idempotency: {
    get(accountId: string, principal: string, key: string): Promise<IdempotencyRecord | null>;
    /**
     * Inserts the record unless one exists; returns whether it was inserted. While another
     * transaction holds an uncommitted record of the same key, waits until it ends: false if
     * it committed, inserted if it rolled back. Inside a transaction, `waitMs` bounds that
     * wait: past it, throws AppError IDEMPOTENCY_IN_PROGRESS (the transaction must then roll back).
     */
    claim(record: IdempotencyRecord, options?: { waitMs?: number }): Promise<boolean>;
    complete(accountId: string, principal: string, key: string, statusCode: number, response: Buffer): Promise<void>;
    release(accountId: string, principal: string, key: string): Promise<void>;
    /** The records of these keys of one caller (those that exist; any order). */
    getMany(accountId: string, principal: string, keys: string[]): Promise<IdempotencyRecord[]>;
    /**
     * `claim` for many records of one caller, in key order (concurrent calls sharing keys wait
     * for each other, never deadlock); returns the keys inserted. `waitMs` bounds the whole
     * statement's wait as it bounds `claim`'s.
     */
    claimMany(records: IdempotencyRecord[], options?: { waitMs?: number }): Promise<string[]>;
    /** `release` for many keys of one caller. */
    releaseMany(accountId: string, principal: string, keys: string[]): Promise<void>;
    deleteOlderThan(before: Date): Promise<number>;
  };
  serverSecrets: {
    /** Stores `value` under `name` unless present; returns whichever value is stored. */
    getOrInsert(name: string, value: Buffer, at: Date): Promise<Buffer>;
  };
  signingKeys: {
    insert(key: SigningKeyRecord): Promise<void>;
    /** Keys still published at `now` (not past publishUntil), newest first. */
    listPublished(now: Date): Promise<SigningKeyRecord[]>;
    retire(kid: string, at: Date, publishUntil: Date): Promise<void>;
  };
}

export type EndpointPatch = Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'clientId' | 'format' | 'enabled' | 'disabledReason' | 'failingSince'>>;
/** A claimed delivery with everything sending it needs (null: its endpoint or event is gone). */
export interface ClaimedDelivery {
  delivery: WebhookDelivery;
  endpoint: WebhookEndpoint | null;
  event: DomainEvent | null;
  /** The sealed signing secrets (core/webhook-secrets.ts signingSecretsFrom opens them). */
  signing: SealedSigningSecrets;
}

/** The client's own webhook secret (with the client's wrapped data key that seals it) and the account's. */
export interface SealedSigningSecrets {
  clientDataKey: Buffer | null;
  clientSecret: Buffer | null;
  account: AccountWebhookSecret | null;
}

/** A claimed delivery's outcome: every column the dispatcher writes. */
export interface DeliveryResult {
  id: string;
  /** The lease the delivery was claimed with: the write is skipped if it changed. */
  claimedLease: Date;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  responseStatus: number | null;
  responseBody: string | null;
  latencyMs: number | null;
  lastError: string | null;
}

type DeliveryPatch = Partial<Pick<WebhookDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'leaseUntil' | 'lastAttemptAt' | 'responseStatus' | 'responseBody' | 'latencyMs' | 'lastError'>>;

/** Thrown by apiKeys.insert/update when another primary key exists for the owner. */
export class PrimaryConflict extends Error {
  constructor() {
    super('another primary key exists for this owner');
    this.name = 'PrimaryConflict';
  }
}
