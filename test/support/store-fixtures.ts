/**
 * Fixtures of the store conformance suites (test/storage/store-conformance*.test.ts): fixed
 * instants, rows to insert, and a few assertion helpers.
 */
import assert from 'node:assert/strict';
import { AppError, type ErrorCode } from '../../src/core/errors.js';
import type { Store } from '../../src/core/ports.js';
import type { ApiKey, Client, WebhookEndpoint } from '../../src/core/types.js';
import { encodeBase62, randomBytes, uuidv7 } from '../../src/crypto/random.js';

/** Millisecond-precise instants (timestamptz keeps microseconds, so these round-trip). */
export const T0 = new Date('2024-03-01T10:00:00.123Z');
export const T1 = new Date('2024-03-02T11:30:00.456Z');
export const T2 = new Date('2024-03-03T12:45:00.789Z');
export const T3 = new Date('2024-03-04T08:15:00.001Z');

/** Inserts an account created and updated at T0; its id. */
export async function newAccount(store: Store, name = 'Account'): Promise<string> {
  const id = uuidv7();
  await store.accounts.insert({ id, name, requireTwoFactor: false, ratelimits: [], createdAt: T0, updatedAt: T0 });
  return id;
}

/** An active client of the account with empty optional fields, created and updated at T0. */
export function makeClient(accountId: string, over: Partial<Client> = {}): Client {
  return {
    id: uuidv7(),
    accountId,
    name: 'Client',
    description: null,
    siret: null,
    username: null,
    emailAddress: null,
    firstName: null,
    lastName: null,
    company: null,
    passwordHash: null,
    isActive: true,
    features: {},
    limits: {},
    metadata: {},
    ratelimits: [],
    dataKey: randomBytes(32),
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

/** Inserts `makeClient(accountId)`; its id. */
export async function newClient(store: Store, accountId: string): Promise<string> {
  const c = makeClient(accountId);
  await store.clients.insert(c);
  return c.id;
}

/**
 * An enabled, non-primary key without scopes, created and updated at T0. Mixed-case base62
 * key ids, so ordering depends on the column's byte-wise collation.
 */
export function makeKey(accountId: string, clientId: string | null, over: Partial<ApiKey> = {}): ApiKey {
  return {
    keyId: `ak_${encodeBase62(randomBytes(12), 17)}`,
    accountId,
    clientId,
    name: null,
    isPrimary: false,
    enabled: true,
    scopes: [],
    permissions: clientId === null ? ['*'] : [],
    ratelimits: [],
    secretHash: randomBytes(32),
    secretHint: 'abcd',
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    expiresAt: null,
    lastUsedAt: null,
    useCount: 0,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export async function rejectsWithCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected AppError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

/** Walks every page of `fetch` (keyset by `cursorOf`), failing on a runaway loop. */
export async function allPages<T>(limit: number, fetch: (after: string | undefined) => Promise<T[]>, cursorOf: (row: T) => string): Promise<{ rows: T[]; pages: number }> {
  const rows: T[] = [];
  let after: string | undefined;
  for (let pages = 1; pages <= 100; pages++) {
    const page = await fetch(after);
    assert.ok(page.length <= limit, `page of ${page.length} exceeds limit ${limit}`);
    rows.push(...page);
    if (page.length < limit) return { rows, pages };
    after = cursorOf(page[page.length - 1]!);
  }
  throw new Error('pagination did not terminate');
}

/** Orders strings by UTF-16 code units. */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** An enabled native-format webhook endpoint of the account for every event, created and updated at T0. */
export function makeEndpoint(accountId: string, over: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id: uuidv7(),
    accountId,
    url: 'https://hooks.example.com/x',
    events: null,
    clientId: null,
    format: 'native',
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}
