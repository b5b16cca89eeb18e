/**
 * An in-process Clientele for HTTP tests: a fresh migrated database on the chosen backend,
 * the real service graph and app (no sockets; use `app.inject`), one bootstrapped account,
 * and every log line captured for secret scans.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before } from 'node:test';
import { createAccount, type CreatedAccount } from '../../src/core/accounts.js';
import { createKeyring, type Keyring } from '../../src/crypto/envelope.js';
import { randomBytes } from '../../src/crypto/random.js';
import type { ConsoleAssets } from '../../src/http/console.js';
import { buildApp, type App } from '../../src/http/app.js';
import { createServices, type Services } from '../../src/services.js';
import { DEFAULT_THROTTLE_POLICY, type ThrottlePolicy } from '../../src/core/throttle.js';
import type { Database } from '../../src/storage/database.js';
import { openTestDatabase, type BackendName } from './databases.js';

export interface TestAccount {
  accountId: string;
  keyId: string;
  secret: string;
  /** X-API-Key token of the account's primary key. */
  token: string;
  email: string;
  password: string;
  /** Headers authenticating as this account. */
  headers: Record<string, string>;
}

export interface TestApp {
  app: App;
  services: Services;
  database: Database;
  logs: string[];
  /** Creates another account (tenant) with its admin user and primary key. */
  newAccount(name?: string): Promise<TestAccount>;
  close(): Promise<void>;
}

export function toTestAccount(created: CreatedAccount): TestAccount {
  return {
    accountId: created.account.id,
    keyId: created.apiKey.key.keyId,
    secret: created.apiKey.secret,
    token: created.apiKey.token,
    email: created.user.email,
    password: created.password,
    headers: { 'x-api-key': created.apiKey.token },
  };
}

/** The server's sign-in throttle without its per-address limits (suites that send many wrong credentials from one address on purpose). */
export const NO_ADDRESS_LIMITS: ThrottlePolicy = { ...DEFAULT_THROTTLE_POLICY, signInFailuresPerAddress: null, tokenRequestsPerAddress: null, authFailuresPerAddress: null, refusalDelayMs: 0 };

export interface TestAppOptions {
  now?: () => Date;
  /** Hosts/CIDRs outgoing requests may reach despite being private (e.g. `127.0.0.1` for a loopback test server). */
  outboundAllowHosts?: string;
  /** Log level of the app (default `debug`, every line captured in `logs`); bulk tests use `warn`. */
  logLevel?: string;
  /** Most webhook endpoints per account (default: the server's default). */
  webhookMaxEndpoints?: number;
  /** The master keyring (default: a new random key). */
  keyring?: Keyring;
  /** Serve this database (another instance of the same data) instead of a new one; close() leaves it open. */
  database?: Database;
  /** Sign-in and source-address limits (default: the server's defaults). */
  throttle?: ThrottlePolicy;
  /** Where rate limits are counted (default: as the server chooses for the backend). */
  rateLimitStore?: 'memory' | 'postgres' | 'redis';
  redisUrl?: string;
  /** CLIENTELE_TRUST_PROXY (default false). */
  trustProxy?: boolean | number | string[];
  /** Serve a built admin console (null: one that was not built); default: none at all. */
  console?: ConsoleAssets | null;
  /** CLIENTELE_BODY_LIMIT (default: the server's, 1 MiB). */
  bodyLimit?: number;
}

export async function createTestApp(backend: BackendName, options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await openTestDatabase(backend));
  const keyring = options.keyring ?? createKeyring(randomBytes(32));
  const services = await createServices({
    database,
    keyring,
    issuer: 'http://clientele.test',
    keyUsageFlushMs: 50,
    ...(options.now ? { now: options.now } : {}),
    ...(options.outboundAllowHosts !== undefined ? { outboundAllowHosts: options.outboundAllowHosts } : {}),
    ...(options.webhookMaxEndpoints !== undefined ? { webhookMaxEndpoints: options.webhookMaxEndpoints } : {}),
    ...(options.throttle ? { throttle: options.throttle } : {}),
    ...(options.rateLimitStore ? { rateLimitStore: options.rateLimitStore } : {}),
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
  });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = await buildApp({
    ctx: services.ctx,
    ready: async () => true,
    logLevel: options.logLevel ?? 'debug',
    logStream,
    ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
    ...(options.console !== undefined ? { console: options.console } : {}),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
  });
  await app.ready();
  let n = 0;
  return {
    app,
    services,
    database,
    logs,
    async newAccount(name) {
      n += 1;
      const created = await createAccount(services.ctx, {
        name: name ?? `Tenant ${n}`,
        email: `admin${n}-${randomBytes(4).toString('hex')}@tenant.test`,
        password: `pw-${randomBytes(8).toString('hex')}`,
      });
      return toTestAccount(created);
    },
    async close() {
      await app.close();
      await services.stop();
      if (!options.database) await database.close();
    },
  };
}

/** What a suite of HTTP tests works with: the app, its account, and that account's headers. */
export interface SuiteApp {
  t: TestApp;
  acc: TestAccount;
  h: Record<string, string>;
}

/**
 * One app and one account for the enclosing describe: registers its before and after hooks
 * and hands them over through `use` (e.g. `useTestApp(backend, (s) => ({ t, acc, h } = s))`).
 * `noErrorsLogged`: the suite also fails when the app logged an error.
 */
export function useTestApp(backend: BackendName, use: (suite: SuiteApp) => void, options: TestAppOptions & { noErrorsLogged?: boolean } = {}): void {
  let t: TestApp | undefined;
  before(async () => {
    t = await createTestApp(backend, options);
    const acc = await t.newAccount();
    use({ t, acc, h: acc.headers });
  });
  after(async () => {
    const errors = t?.logs.filter((l) => l.includes('"level":50')) ?? [];
    await t?.close();
    if (options.noErrorsLogged) assert.deepEqual(errors, []);
  });
}
