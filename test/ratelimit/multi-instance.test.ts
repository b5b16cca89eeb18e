/**
 * Rate limits across instances: two `clientele serve` processes on one PostgreSQL database,
 * counting in PostgreSQL (leases), then in Redis. Requests alternate between them; in every
 * window the two together admit no more than the limit (the documented over-admission of
 * both backends is none), and the PostgreSQL one admits no less than its documented lease
 * bound. A window ends on time.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from '../../src/crypto/random.js';
import { createEmptyPostgresDatabase, testBackends } from '../support/databases.js';
import { testRedisUrl } from '../support/redis.js';
import { api, credentialsFrom, pool, type ServerProc, startInstances } from '../webhooks/server-process.js';

const redisUrl = testRedisUrl();
const stores: Array<{ store: 'postgres' | 'redis'; env: Record<string, string> }> = [{ store: 'postgres', env: { CLIENTELE_RATE_LIMIT_STORE: 'postgres' } }];
if (redisUrl) stores.push({ store: 'redis', env: { CLIENTELE_REDIS_URL: redisUrl } });

/** Successes per window (by the `reset` each answer names). */
function admittedPerWindow(answers: Array<{ success: boolean; reset: number }>): Map<number, number> {
  const out = new Map<number, number>();
  for (const a of answers) if (a.success) out.set(a.reset, (out.get(a.reset) ?? 0) + 1);
  return out;
}

for (const { store, env } of stores) {
  describe(`rate limits: two instances, counted in ${store}`, { skip: !testBackends().includes('postgres') && 'PostgreSQL not available' }, () => {
    let dataDir: string;
    let drop: (() => Promise<void>) | undefined;
    const procs: ServerProc[] = [];
    let token: string;
    let urls: string[];

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'clientele-rl-multi-'));
      const db = await createEmptyPostgresDatabase();
      drop = db.drop;
      const common = { DATABASE_URL: db.url, CLIENTELE_MASTER_KEY: randomBytes(32).toString('base64'), CLIENTELE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env };
      const [a, b] = (await startInstances(common, 2, procs)) as [ServerProc, ServerProc];
      token = credentialsFrom(a.output()).apiKey.token;
      urls = [a.url, b.url];
    });
    after(async () => {
      for (const p of procs) await p.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
      await drop?.();
    });

    it('POST /v1/ratelimit: a limit of 100 per window is never exceeded by both together', { timeout: 60_000 }, async () => {
      const limit = 100;
      const identifier = randomBytes(6).toString('hex');
      const answers = await pool(
        Array.from({ length: 400 }, (_, i) => i),
        16,
        async (i) => {
          const r = await api(urls[i % 2]!, token, 'POST', '/v1/ratelimit', { namespace: 'multi', identifier, limit, duration: 3_600_000 });
          assert.equal(r.status, 200, JSON.stringify(r.body));
          return r.body as { success: boolean; reset: number };
        },
      );
      const windows = admittedPerWindow(answers);
      for (const [reset, admitted] of windows) assert.ok(admitted <= limit, `window ending ${new Date(reset).toISOString()}: ${admitted} admitted`);
      if (windows.size === 1) {
        const admitted = [...windows.values()][0]!;
        const bound = store === 'redis' ? limit : limit - 2 * Math.ceil(limit / 20);
        assert.ok(admitted >= bound, `only ${admitted} admitted (bound ${bound})`);
        process.stdout.write(`# ${store}: ${admitted} of ${limit} admitted across two instances\n`);
      }
    });

    it("a key's auto-applied limit holds across instances at verify", { timeout: 60_000 }, async () => {
      const limit = 40;
      const key = await api(urls[0]!, token, 'POST', '/v1/keys', { ratelimits: [{ name: 'hourly', limit, duration: 3_600_000, autoApply: true }] });
      assert.equal(key.status, 201, JSON.stringify(key.body));
      const answers = await pool(
        Array.from({ length: 120 }, (_, i) => i),
        8,
        async (i) => {
          const r = await api(urls[i % 2]!, token, 'POST', '/v1/keys/verify', { token: key.body.token });
          assert.equal(r.status, 200, JSON.stringify(r.body));
          return { success: r.body.code === 'VALID', reset: r.body.ratelimits[0].reset as number, code: r.body.code as string };
        },
      );
      assert.deepEqual([...new Set(answers.map((a) => a.code))].sort(), ['RATE_LIMITED', 'VALID']);
      for (const [, admitted] of admittedPerWindow(answers)) assert.ok(admitted <= limit, `${admitted} valid of ${limit}`);
    });

    it('a window ends on time', { timeout: 30_000 }, async () => {
      const body = { namespace: 'reset', identifier: randomBytes(6).toString('hex'), limit: 2, duration: 2_000 };
      let last: { success: boolean; reset: number } | undefined;
      for (let i = 0; i < 4; i++) {
        const r = await api(urls[i % 2]!, token, 'POST', '/v1/ratelimit', body);
        last = r.body;
        if (!last!.success) break;
      }
      assert.equal(last?.success, false, 'the window was used up');
      await new Promise((r) => setTimeout(r, Math.max(0, last!.reset - Date.now()) + 50));
      const next = await api(urls[1]!, token, 'POST', '/v1/ratelimit', body);
      assert.equal(next.body.success, true, JSON.stringify(next.body));
      assert.ok(next.body.reset > last!.reset);
    });
  });
}
