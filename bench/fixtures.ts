/**
 * Benchmark fixtures shared by bench/run.ts, bench/quick.ts and bench/profile.ts: a fresh
 * account key for the run, samples of the seeded keys, clients and usernames, and the
 * request sets built from them.
 */
import { createKey } from '../src/core/api-keys.js';
import { encodeCursor } from '../src/core/pagination.js';
import type { Principal } from '../src/core/types.js';
import { seededToken } from '../src/cli/seed.js';
import { loadMasterKeyring } from '../src/crypto/master-key.js';
import { createServices } from '../src/services.js';
import { openDatabase } from '../src/storage/database.js';
import { BENCH_EMAIL, BENCH_MASTER_KEY, dbUrl, SECRET_SEED, withPg } from './lib/database.js';
import type { Req } from './lib/load.js';

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

// ---------------------------------------------------------------------------------------------
// Fixtures: a fresh account key for this run, and samples of seeded keys, clients, usernames.

export interface Fixture {
  name: string;
  url: string;
  clients: number;
  accountId: string;
  accountToken: string;
  accountKeyId: string;
  /** Tokens of seeded client keys, random order. */
  tokens: string[];
  clientIds: string[];
  usernames: string[];
}

export async function fixture(name: string, clients: number, samples: number): Promise<Fixture> {
  const url = dbUrl(name);
  const database = await openDatabase({ databaseUrl: url, poolSize: 2 });
  try {
    const keyring = await loadMasterKeyring({ masterKey: BENCH_MASTER_KEY });
    const services = await createServices({ database, keyring, issuer: 'http://bench', cache: false });
    try {
      const user = await services.ctx.store.users.findByEmail(BENCH_EMAIL);
      if (!user) throw new Error(`${name}: no benchmark account (run npm run bench:seed)`);
      const principal: Principal = { kind: 'account', accountId: user.accountId, actor: { type: 'system', id: 'bench' }, permissions: ['*'] };
      const issued = await createKey(services.ctx, principal, { name: 'bench run' });
      const pct = Math.min(100, ((samples * 1.5) / clients) * 100);
      // Keys of active clients only (one seeded client in ten is inactive: its key cannot
      // obtain a token, which would count as errors in the grant runs).
      const keys = await database.pool.query(
        `SELECT k.key_id FROM api_keys k TABLESAMPLE BERNOULLI (${pct}) JOIN clients c ON c.id = k.client_id
          WHERE k.account_id = $1 AND k.name = 'seed' AND c.is_active LIMIT $2`,
        [user.accountId, samples],
      );
      const rows = await database.pool.query(`SELECT id, username FROM clients TABLESAMPLE BERNOULLI (${pct}) WHERE account_id = $1 AND username IS NOT NULL LIMIT $2`, [user.accountId, samples]);
      return {
        name,
        url,
        clients,
        accountId: user.accountId,
        accountToken: issued.token,
        accountKeyId: issued.key.keyId,
        tokens: shuffle(keys.rows.map((r) => seededToken(SECRET_SEED, r.key_id as string))),
        clientIds: shuffle(rows.rows.map((r) => r.id as string)),
        usernames: shuffle(rows.rows.map((r) => r.username as string)),
      };
    } finally {
      await services.stop();
    }
  } finally {
    await database.close();
  }
}

export async function dropRunKey(f: Fixture): Promise<void> {
  await withPg(f.url, (c) => c.query('DELETE FROM api_keys WHERE key_id = $1', [f.accountKeyId])).catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// Request sets.

const json = { 'content-type': 'application/json' };
const take = <T>(xs: T[], n: number) => xs.slice(0, Math.min(n, xs.length));

export const verifyReqs = (f: Fixture, n: number): Req[] =>
  take(f.tokens, n).map((t) => ({ method: 'POST', path: '/v1/keys/verify', headers: { ...json, 'x-api-key': f.accountToken }, body: JSON.stringify({ token: t }) }));
export const getClientReqs = (f: Fixture, n: number): Req[] => take(f.clientIds, n).map((id) => ({ method: 'GET', path: `/v1/clients/${id}`, headers: { 'x-api-key': f.accountToken } }));
export const grantReqs = (f: Fixture, n: number): Req[] =>
  take(f.tokens, n).map((t) => {
    const keyId = 'ck_' + t.slice(4, 26);
    const secret = t.slice(27, 70);
    return {
      method: 'POST',
      path: '/oauth2/token',
      headers: { authorization: 'Basic ' + Buffer.from(`${keyId}:${secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    };
  });
export const cursorPageReqs = (f: Fixture, n: number): Req[] =>
  take(f.clientIds, n).map((id) => ({ method: 'GET', path: `/v1/clients?limit=20&cursor=${encodeCursor(id)}`, headers: { 'x-api-key': f.accountToken } }));
export const factPulsePageReqs = (f: Fixture, n: number): Req[] =>
  Array.from({ length: n }, () => ({ method: 'GET' as const, path: `/api/v1/clients?page=${1 + Math.floor(Math.random() * (f.clients / 20))}&pageSize=20`, headers: { 'x-api-key': f.accountToken } }));
export const ccm19Reqs = (f: Fixture, n: number): Req[] =>
  take(f.usernames, n).map((u) => ({ method: 'GET', path: `/hosting/api/client/by-username/${encodeURIComponent(u)}?apiKey=${f.accountToken}` }));
