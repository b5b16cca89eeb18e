/**
 * Profiling helper (not part of `npm run bench`): runs one Clientele server under
 * `node --cpu-prof`, loads it with one request kind for a few seconds, stops it and prints
 * the functions with the most self time. Needs the benchmark database (npm run bench:seed).
 *
 *   node --import tsx bench/profile.ts <verify|get|grant|uncached-get|uncached-verify> [seconds]
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BENCH_CLIENTS, BENCH_DB, BENCH_EMAIL, BENCH_MASTER_KEY, dbUrl, freePort, runLoad, SECRET_SEED, startNode, withPg, type Req } from './lib.js';
import { seededToken } from '../src/cli/seed.js';
import { createKey } from '../src/core/api-keys.js';
import { loadMasterKeyring } from '../src/crypto/master-key.js';
import { createServices } from '../src/services.js';
import { openDatabase } from '../src/storage/database.js';

const kind = process.argv[2] ?? 'verify';
const seconds = Number(process.argv[3] ?? 8);
const url = dbUrl(BENCH_DB);

const database = await openDatabase({ databaseUrl: url, poolSize: 2 });
const services = await createServices({ database, keyring: await loadMasterKeyring({ masterKey: BENCH_MASTER_KEY }), issuer: 'http://bench', cache: false });
const user = await services.ctx.store.users.findByEmail(BENCH_EMAIL);
if (!user) throw new Error('run npm run bench:seed first');
const issued = await createKey(services.ctx, { kind: 'account', accountId: user.accountId, actor: { type: 'system', id: 'bench' } }, { name: 'bench profile' });
const pct = Math.min(100, (3000 / BENCH_CLIENTS) * 100);
const keys = (await database.pool.query(`SELECT key_id, client_id FROM api_keys TABLESAMPLE BERNOULLI (${pct}) WHERE account_id = $1 AND name = 'seed' LIMIT 1000`, [user.accountId])).rows;
await services.stop();
await database.close();

const h = { 'x-api-key': issued.token };
const reqs: Req[] = keys.map((k): Req => {
  const token = seededToken(SECRET_SEED, k.key_id as string);
  if (kind.endsWith('verify')) return { method: 'POST', path: '/v1/keys/verify', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify({ token }) };
  if (kind === 'grant')
    return { method: 'POST', path: '/oauth2/token', headers: { authorization: 'Basic ' + Buffer.from(`${k.key_id}:${token.slice(27, 70)}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' };
  return { method: 'GET', path: `/v1/clients/${k.client_id}`, headers: h };
});

const dir = await mkdtemp(path.join(tmpdir(), 'clientele-prof-'));
const port = await freePort();
const server = await startNode(['--cpu-prof', '--cpu-prof-dir', dir, '--import', 'tsx', 'src/cli/main.ts', 'serve'], {
  DATABASE_URL: url, CLIENTELE_MASTER_KEY: BENCH_MASTER_KEY, PORT: String(port), LOG_LEVEL: 'warn', CLIENTELE_BOOTSTRAP: 'false',
  ...(kind.startsWith('uncached') ? { CLIENTELE_CACHE: 'false' } : {}),
}, port, '/readyz');
await runLoad({ url: server.url, requests: reqs, connections: 50, seconds: 2 });
const r = await runLoad({ url: server.url, requests: reqs, connections: 50, seconds });
await server.stop();
await withPg(url, (c) => c.query('DELETE FROM api_keys WHERE key_id = $1', [issued.key.keyId]));
console.log(`${kind}: ${Math.round(r.rps)} req/s, p99 ${r.p99ms} ms, errors ${r.errors}; profile in ${dir}`);

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'))!;
const prof = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of prof.nodes) {
  const t = self.get(n.id) ?? 0;
  const f = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '') || '(native)';
  const key = `${n.callFrame.functionName || '(anon)'} ${f}:${n.callFrame.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
  const pkg = f.startsWith('src/') ? f : f.split('/').slice(0, f.startsWith('@') ? 2 : 1).join('/');
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + t);
}
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`\nself time by function:\n${top(byFn, 35)}\n\nby package / file:\n${top(byFile, 25)}`);
