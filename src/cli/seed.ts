/**
 * `clientele seed`: bulk test data for scale work — N clients of one account, each with
 * its own API key(s), inserted in large batches (one `INSERT … SELECT FROM unnest(…)` per
 * table and batch, one transaction per batch).
 *
 * Rows are valid, exactly like the API would write them:
 *   - every client has its own data key wrapped by the master keyring, bound to
 *     `client-dek:<accountId>:<clientId>` (createDataKey + clientDataKeyAad);
 *   - every key has a `generateKeyId()` id (time-ordered) and a real keyed hash
 *     `hashSecret(pepper, secret)`; the first key of a client is its primary key.
 * What seeded rows do NOT have: audit events (no `client.created` / `key.created`), webhook
 * deliveries, usage counters. Seeding is a bulk load, not a sequence of API calls.
 *
 * Secrets are random and never shown (the keys are valid but nobody can use them until
 * they are reset), unless `secretSeed` is given: then each secret is derived as
 * base62(HMAC-SHA-256(secretSeed, keyId)), so a benchmark can rebuild the token of any
 * seeded key. Anyone knowing the seed knows every such secret: load tests only.
 */
import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { createDataKey } from '../crypto/data-keys.js';
import type { Keyring } from '../crypto/envelope.js';
import { encodeBase62, randomBytes, uuidv7 } from '../crypto/random.js';
import { formatToken, generateKeyId, generateSecret, secretHint } from '../crypto/key-format.js';
import { hashSecret } from '../crypto/keyed-hash.js';
import { clientDataKeyAad } from '../core/clients.js';
import type { DB } from '../storage/schema.js';

export interface SeedOptions {
  accountId: string;
  /** How many clients to add. */
  clients: number;
  /** Keys per client (0 = none); the first is the client's primary key. */
  keysPerClient?: number;
  keyring: Keyring;
  pepper: Buffer;
  /** Rows per INSERT (default 5,000). */
  batchSize?: number;
  /** Derive secrets from this seed instead of drawing them at random (load tests only). */
  secretSeed?: string;
  /** Every tenth client inactive (default true), so the isActive filter has both values. */
  someInactive?: boolean;
  /** Username/e-mail prefix; random by default so several runs never collide. */
  prefix?: string;
  onProgress?: (p: SeedProgress) => void;
  now?: () => Date;
}

interface SeedProgress {
  clients: number;
  keys: number;
  total: number;
  elapsedMs: number;
  /** Clients per second so far. */
  rate: number;
}

export interface SeedResult extends SeedProgress {
  prefix: string;
}

/** The secret of a key seeded with `secretSeed`: base62 of HMAC-SHA-256(seed, keyId), 43 characters. */
export function seededSecret(secretSeed: string, keyId: string): string {
  return encodeBase62(createHmac('sha256', secretSeed).update(keyId, 'utf8').digest(), 43);
}

/** The API token of a key seeded with `secretSeed`. */
export function seededToken(secretSeed: string, keyId: string): string {
  return formatToken(keyId, seededSecret(secretSeed, keyId));
}

/** Seeded usernames are `<prefix><n>`, e-mail addresses `<prefix><n>@seed.clientele.test`. */
const SEED_EMAIL_DOMAIN = 'seed.clientele.test';

interface Batch {
  from: number;
  ids: string[];
  ordinals: number[];
  active: boolean[];
  dataKeys: Buffer[];
  keyIds: string[];
  keyClients: string[];
  keyPrimary: boolean[];
  keyHashes: Buffer[];
  keyHints: string[];
}

type GenOptions = Required<Pick<SeedOptions, 'accountId' | 'keyring' | 'pepper' | 'someInactive'>> & { secretSeed?: string; keysPerClient: number };

/** Rows generated between two turns of the event loop, so the in-flight batch keeps moving. */
const SLICE = 250;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

async function generate(o: GenOptions, from: number, count: number): Promise<Batch> {
  const b: Batch = { from, ids: [], ordinals: [], active: [], dataKeys: [], keyIds: [], keyClients: [], keyPrimary: [], keyHashes: [], keyHints: [] };
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % SLICE === 0) await yieldToIo();
    const n = from + i;
    const id = uuidv7();
    b.ids.push(id);
    b.ordinals.push(n);
    b.active.push(!o.someInactive || n % 10 !== 0);
    b.dataKeys.push(createDataKey(o.keyring, clientDataKeyAad(o.accountId, id)).wrapped);
    for (let k = 0; k < o.keysPerClient; k++) {
      const keyId = generateKeyId();
      const secret = o.secretSeed !== undefined ? seededSecret(o.secretSeed, keyId) : generateSecret();
      b.keyIds.push(keyId);
      b.keyClients.push(id);
      b.keyPrimary.push(k === 0);
      b.keyHashes.push(hashSecret(o.pepper, secret));
      b.keyHints.push(secretHint(secret));
    }
  }
  return b;
}

async function insert(db: Kysely<DB>, accountId: string, prefix: string, at: Date, b: Batch): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`
      INSERT INTO clients (id, account_id, name, username, email_address, is_active, data_key, created_at, updated_at)
      SELECT t.id, ${accountId}::uuid, 'Seed client ' || t.n, ${prefix} || t.n, ${prefix} || t.n || ${'@' + SEED_EMAIL_DOMAIN},
             t.active, t.dk, ${at}::timestamptz, ${at}::timestamptz
        FROM unnest(${b.ids}::uuid[], ${b.ordinals}::int[], ${b.active}::bool[], ${b.dataKeys}::bytea[]) AS t(id, n, active, dk)`.execute(tx);
    if (b.keyIds.length === 0) return;
    await sql`
      INSERT INTO api_keys (key_id, account_id, client_id, name, is_primary, enabled, scopes, permissions, secret_hash, secret_hint, created_at, updated_at)
      SELECT t.key_id, ${accountId}::uuid, t.client_id, 'seed', t.is_primary, true, '[]'::jsonb, '[]'::jsonb, t.h, t.hint, ${at}::timestamptz, ${at}::timestamptz
        FROM unnest(${b.keyIds}::text[], ${b.keyClients}::uuid[], ${b.keyPrimary}::bool[], ${b.keyHashes}::bytea[], ${b.keyHints}::text[])
             AS t(key_id, client_id, is_primary, h, hint)`.execute(tx);
  });
}

/**
 * Inserts `clients` clients (and their keys) into the account. Generation of the next batch
 * overlaps the database's work on the previous one. Does not ANALYZE: see `analyzeSeeded`.
 */
export async function seedClients(db: Kysely<DB>, options: SeedOptions): Promise<SeedResult> {
  const total = options.clients;
  if (!Number.isInteger(total) || total < 0) throw new RangeError('clients must be a non-negative integer');
  const batchSize = options.batchSize ?? 5000;
  const keysPerClient = options.keysPerClient ?? 1;
  if (!Number.isInteger(keysPerClient) || keysPerClient < 0 || keysPerClient > 100) throw new RangeError('keysPerClient must be 0…100');
  const prefix = options.prefix ?? `seed-${encodeBase62(randomBytes(4), 6).toLowerCase()}-`;
  const at = (options.now ?? (() => new Date()))();
  const gen = {
    accountId: options.accountId,
    keyring: options.keyring,
    pepper: options.pepper,
    someInactive: options.someInactive ?? true,
    keysPerClient,
    ...(options.secretSeed !== undefined ? { secretSeed: options.secretSeed } : {}),
  };
  const started = performance.now();
  let done = 0;
  let inflight: Promise<void> | undefined;
  let inflightCount = 0;
  const progress = (): SeedProgress => {
    const elapsedMs = performance.now() - started;
    return { clients: done, keys: done * keysPerClient, total, elapsedMs, rate: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0 };
  };
  for (let from = 1; from <= total; from += batchSize) {
    const batch = await generate(gen, from, Math.min(batchSize, total - from + 1));
    if (inflight) {
      await inflight;
      done += inflightCount;
      options.onProgress?.(progress());
    }
    inflight = insert(db, options.accountId, prefix, at, batch);
    inflightCount = batch.ids.length;
  }
  if (inflight) {
    await inflight;
    done += inflightCount;
    options.onProgress?.(progress());
  }
  return { ...progress(), prefix };
}

/** Refreshes planner statistics and the visibility map of the seeded tables (index-only scans). */
export async function analyzeSeeded(db: Kysely<DB>): Promise<void> {
  await sql`VACUUM (ANALYZE) clients, api_keys`.execute(db);
}

export interface SeedCliDeps {
  /** Opens the configured runtime (database migrated, keyring, services). */
  open(): Promise<{
    db: Kysely<DB>;
    keyring: Keyring;
    pepper: Buffer;
    findAccountByEmail(email: string): Promise<string | null>;
    createAccount(email: string): Promise<{ accountId: string; credentials: unknown }>;
    close(): Promise<void>;
  }>;
  out(text: string): void;
  err(text: string): void;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** `clientele seed …`; returns the exit code. */
export async function runSeedCommand(args: string[], deps: SeedCliDeps): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      clients: { type: 'string' },
      'account-email': { type: 'string' },
      'keys-per-client': { type: 'string', default: '1' },
      'batch-size': { type: 'string', default: '5000' },
      'secret-seed': { type: 'string' },
    },
    strict: true,
  });
  const int = (name: string, raw: string | undefined, min: number, max: number): number => {
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const clients = int('clients', values.clients, 1, 100_000_000);
  const keysPerClient = int('keys-per-client', values['keys-per-client'], 0, 100);
  const batchSize = int('batch-size', values['batch-size'], 1, 50_000);
  const rt = await deps.open();
  try {
    let accountId: string;
    if (values['account-email']) {
      const found = await rt.findAccountByEmail(values['account-email']);
      if (!found) throw new Error(`no user with e-mail ${values['account-email']}`);
      accountId = found;
    } else {
      const created = await rt.createAccount(`seed-${encodeBase62(randomBytes(4), 6).toLowerCase()}@clientele.local`);
      accountId = created.accountId;
      deps.out('Created an account for the seeded clients. These credentials are shown ONCE:\n' + JSON.stringify(created.credentials) + '\n');
    }
    deps.err(`seeding ${fmt(clients)} clients × ${keysPerClient} key(s) into account ${accountId} (batches of ${fmt(batchSize)}; no audit events)\n`);
    let lastPrint = 0;
    const result = await seedClients(rt.db, {
      accountId,
      clients,
      keysPerClient,
      batchSize,
      keyring: rt.keyring,
      pepper: rt.pepper,
      ...(values['secret-seed'] !== undefined ? { secretSeed: values['secret-seed'] } : {}),
      onProgress: (p) => {
        if (p.clients < p.total && p.elapsedMs - lastPrint < 2000) return;
        lastPrint = p.elapsedMs;
        deps.err(`  ${fmt(p.clients)} / ${fmt(p.total)} clients, ${fmt(p.keys)} keys — ${fmt(p.rate)} clients/s (${(p.elapsedMs / 1000).toFixed(1)} s)\n`);
      },
    });
    const t = performance.now();
    await analyzeSeeded(rt.db);
    deps.err(`  VACUUM ANALYZE in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    deps.out(
      JSON.stringify({
        accountId,
        clients: result.clients,
        keys: result.keys,
        seconds: Number((result.elapsedMs / 1000).toFixed(2)),
        clientsPerSecond: Math.round(result.rate),
        usernamePrefix: result.prefix,
      }) + '\n',
    );
    return 0;
  } finally {
    await rt.close();
  }
}
