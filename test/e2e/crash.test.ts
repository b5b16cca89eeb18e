/**
 * Crash safety of keyed writes with a real `clientele serve` on PostgreSQL: concurrent
 * `POST /v1/clients` and `POST /v1/keys` carrying an Idempotency-Key, SIGKILL at seeded random
 * points while they are in flight (KILLS times, a restart after each), every key retried until
 * it answers, and a webhook endpoint pointing at a local receiver. Then:
 *
 *   - 0 stuck keys: no key answers 409 IDEMPOTENCY_IN_PROGRESS once a restart has settled;
 *   - 0 duplicates: one client / key per Idempotency-Key in the database, and every answer for
 *     a key (first or replayed) names that same id;
 *   - 0 lost acknowledged writes: every 201 received before a kill exists after the restart;
 *   - 0 orphaned idempotency records, and every committed event reaches the receiver.
 *
 * The seed is printed; CLIENTELE_CRASH_SEED=<n> replays a run's choices (the kill points also
 * depend on timing, so a replay is close, not identical).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { randomBytes } from '../../src/crypto/random.js';
import { createEmptyPostgresDatabase, testBackends } from '../support/databases.js';
import { freePort } from '../support/net.js';
import { startReceiver, waitFor, sleep, type Receiver } from '../webhooks/receiver.js';
import { api, credentialsFrom, spawnServer, waitReady, type ServerProc } from '../webhooks/server-process.js';

const SEED = Number(process.env.CLIENTELE_CRASH_SEED ?? Date.now() % 1_000_000);
const OPS = 200;
const WORKERS = 8;
const KILLS = 3;
/** Owners of the keys created under load (a few, so primary-key changes race). */
const OWNERS = 4;
/** How long a key may keep answering 409 IDEMPOTENCY_IN_PROGRESS before it counts as stuck. */
const STUCK_AFTER_MS = 5_000;

/** mulberry32: a small seeded generator, so a run's choices can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Op {
  i: number;
  kind: 'client' | 'key';
  path: string;
  key: string;
  name: string;
  body: Record<string, unknown>;
  /** Every id a 201 named for this key (first answer and replays). */
  ids: string[];
  /** 201s received from a process that was later killed. */
  ackedBeforeKill: string[];
  inProgress: number;
  /** Requests to a live process that a kill cut (no answer). */
  cutByKill: number;
}

const backends = testBackends();
const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * `clientele serve` from the bundle `npm start` runs (built once by the suite, as
 * test/e2e/server.test.ts does): it is ready 3–4 times sooner than through tsx, which keeps
 * four starts well inside the time budget.
 */
const spawnBundle = (main: string, env: Record<string, string>): ServerProc => spawnServer(env, main);

describe('keyed writes survive SIGKILL [postgres]', { skip: !backends.includes('postgres') && 'PostgreSQL not available (never skipped under CI)' }, () => {
  let buildDir: string;
  let dataDir: string;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  let dbUrl: string;
  const procs: ServerProc[] = [];
  let receiver: Receiver | undefined;

  before(async () => {
    // Inside the project (a git-ignored .tmp/), so the bundle finds node_modules.
    await mkdir(join(ROOT, '.tmp'), { recursive: true });
    buildDir = await mkdtemp(join(ROOT, '.tmp', 'build-'));
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), buildDir], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`scripts/build.mjs failed: ${built.stdout}${built.stderr}`);
    dataDir = await mkdtemp(join(tmpdir(), 'clientele-crash-'));
    const db = await createEmptyPostgresDatabase();
    drop = db.drop;
    dbUrl = db.url;
    env = {
      PORT: String(await freePort()),
      CLIENTELE_DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      CLIENTELE_MASTER_KEY: randomBytes(32).toString('base64'),
      CLIENTELE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      CLIENTELE_WEBHOOK_RETRY_BASE_MS: '200',
      CLIENTELE_WEBHOOK_TIMEOUT_MS: '1000',
      CLIENTELE_WEBHOOK_POLL_MS: '50',
      LOG_LEVEL: 'warn',
    };
  });
  after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await receiver?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(buildDir, { recursive: true, force: true });
    await drop?.();
  });

  it(`${OPS} keyed creates, ${KILLS} × SIGKILL: no stuck key, no duplicate, no lost write, no undelivered event`, { timeout: 90_000 }, async () => {
    const started = performance.now();
    const random = seeded(SEED);
    process.stdout.write(`[crash] seed ${SEED} (CLIENTELE_CRASH_SEED=${SEED} to replay)\n`);

    let server = spawnBundle(join(buildDir, 'main.js'), env);
    procs.push(server);
    await waitReady(server);
    const { accountId, apiKey } = credentialsFrom(server.output());
    const token = apiKey.token;

    const gen = await api(server.url, token, 'POST', '/v1/webhook-secret/generate');
    assert.equal(gen.status, 200, JSON.stringify(gen.body));
    receiver = await startReceiver({ secrets: [gen.body.webhookSecret as string] });
    const endpoint = await api(server.url, token, 'POST', '/v1/webhook-endpoints', { url: `${receiver.url}/hook`, events: ['client.*', 'key.*'] });
    assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
    const owners: string[] = [];
    for (let o = 0; o < OWNERS; o++) {
      const r = await api(server.url, token, 'POST', '/v1/clients', { name: `crash-owner-${SEED}-${o}` });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      owners.push(r.body.id as string);
    }

    const ops: Op[] = Array.from({ length: OPS }, (_, i) => {
      const name = `crash-${SEED}-${i}`;
      const base = { i, key: `crash:${SEED}:${i}`, name, ids: [], ackedBeforeKill: [], inProgress: 0, cutByKill: 0 };
      if (random() < 0.6) {
        // Some with a password: argon2id makes those requests long enough to be cut mid-way.
        const body: Record<string, unknown> = { name, description: `op ${i}` };
        if (random() < 0.25) body.password = `pw-${SEED}-${i}-${randomBytes(4).toString('hex')}`;
        return { ...base, kind: 'client' as const, path: '/v1/clients', body };
      }
      const body = { clientId: owners[Math.floor(random() * OWNERS)]!, name, isPrimary: random() < 0.3, scopes: ['read'] };
      return { ...base, kind: 'key' as const, path: '/v1/keys', body };
    });

    // The current process, and how many times it was replaced.
    let epoch = 0;
    const killed = new Set<ServerProc>();
    let acknowledged = 0;
    const ackedBy = new Map<ServerProc, Op[]>();
    const unexpected: string[] = [];

    const send = async (proc: ServerProc, op: Op) => {
      const res = await fetch(proc.url + op.path, {
        method: 'POST',
        headers: { 'x-api-key': token, 'content-type': 'application/json', 'idempotency-key': op.key },
        body: JSON.stringify(op.body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, replayed: res.headers.get('idempotent-replayed') === 'true' };
    };
    const idOf = (op: Op, body: any): string => (op.kind === 'client' ? body.id : body.key.keyId);

    /** Sends `op` until it answers 201 (through kills and restarts) or counts as stuck. */
    const settle = async (op: Op): Promise<void> => {
      let firstInProgressAt: number | undefined;
      for (;;) {
        const proc = server;
        const seenEpoch = epoch;
        const sentToLive = !killed.has(proc);
        let r: Awaited<ReturnType<typeof send>>;
        try {
          r = await send(proc, op);
        } catch (err) {
          if (sentToLive) op.cutByKill++;
          // Killed under us (or sent to the dead one): wait for the next process.
          await waitFor('a restarted server', () => epoch !== seenEpoch, 30_000, 5).catch(() => {
            throw new Error(`request failed without a kill: ${String(err)}`);
          });
          continue;
        }
        if (r.status === 201) {
          op.ids.push(idOf(op, r.body));
          if (!r.replayed) acknowledged++;
          const list = ackedBy.get(proc) ?? [];
          list.push(op);
          ackedBy.set(proc, list);
          return;
        }
        if (r.status === 409 && r.body?.code === 'IDEMPOTENCY_IN_PROGRESS') {
          op.inProgress++;
          firstInProgressAt ??= performance.now();
          if (performance.now() - firstInProgressAt > STUCK_AFTER_MS) return;
          await sleep(50);
          continue;
        }
        unexpected.push(`${op.key}: ${r.status} ${JSON.stringify(r.body)}`);
        return;
      }
    };

    let next = 0;
    let completed = 0;
    const workers = Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (next < ops.length) {
          const op = ops[next++]!;
          await settle(op);
          completed++;
        }
      }),
    );

    // The killer: after a random number of completions since the last start, plus a random
    // few milliseconds (so the kill lands inside requests, not between them).
    const kills: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const after = completed + 10 + Math.floor(random() * 30);
      await waitFor('progress before the kill', () => completed >= after, 30_000, 2);
      await sleep(Math.floor(random() * 25));
      const victim = server;
      killed.add(victim);
      assert.equal(await victim.kill('SIGKILL'), -1, 'killed by the signal');
      kills.push(completed);
      for (const op of ackedBy.get(victim) ?? []) op.ackedBeforeKill.push(...op.ids);
      const fresh = spawnBundle(join(buildDir, 'main.js'), env);
      procs.push(fresh);
      await waitReady(fresh);
      server = fresh;
      epoch++;
    }
    await workers;

    // Every key again, once the last restart has settled: a replay of the same id, never a 409.
    const final = await Promise.all(ops.map(async (op) => ({ op, r: await send(server, op) })));
    const stuck = final.filter(({ r }) => r.status === 409).map(({ op }) => op.key);
    const inProgressAnswers = ops.reduce((n, o) => n + o.inProgress, 0);

    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    try {
      const clients = await db.query<{ id: string; name: string }>('select id, name from clients where account_id = $1 and name like $2', [accountId, `crash-${SEED}-%`]);
      const keys = await db.query<{ key_id: string; name: string }>('select key_id, name from api_keys where account_id = $1 and name like $2', [accountId, `crash-${SEED}-%`]);
      const rowsByName = new Map<string, string[]>();
      for (const r of clients.rows) rowsByName.set(r.name, [...(rowsByName.get(r.name) ?? []), r.id]);
      for (const r of keys.rows) rowsByName.set(r.name, [...(rowsByName.get(r.name) ?? []), r.key_id]);
      const duplicates = [...rowsByName].filter(([, ids]) => ids.length > 1).map(([name]) => name);
      const orphans = await db.query<{ n: number }>('select count(*)::int as n from idempotency_records where account_id = $1 and status_code = 0', [accountId]);

      const problems: string[] = [];
      const lost: string[] = [];
      for (const { op, r } of final) {
        const rows = rowsByName.get(op.name) ?? [];
        if (r.status !== 201) problems.push(`${op.key}: final answer ${r.status} ${JSON.stringify(r.body)}`);
        else {
          if (!r.replayed) problems.push(`${op.key}: the final answer was not a replay`);
          op.ids.push(idOf(op, r.body));
        }
        if (new Set(op.ids).size > 1) problems.push(`${op.key}: answers named different ids ${[...new Set(op.ids)].join(', ')}`);
        if (rows.length !== 1 || (op.ids.length > 0 && rows[0] !== op.ids[0])) problems.push(`${op.key}: database holds [${rows.join(', ')}], answers named [${op.ids.join(', ')}]`);
        for (const id of op.ackedBeforeKill) if (!rows.includes(id)) lost.push(`${op.key}: acknowledged ${id} before a kill, missing after the restart`);
      }

      // Every committed create event has its delivery row and reaches the receiver.
      const events = await db.query<{ id: string; deliveries: number }>(
        `select e.id, (select count(*)::int from webhook_deliveries d where d.event_id = e.id) as deliveries
           from events e where e.account_id = $1 and e.type in ('client.created', 'key.created') and e.created_at >= $2`,
        [accountId, new Date(endpoint.body.createdAt as string)],
      );
      const want = events.rows.map((e) => e.id);
      const rcv = receiver;
      await waitFor('every committed event delivered', () => want.every((id) => rcv.ids().has(id)), 30_000, 50).catch(() => undefined);
      const undelivered = want.filter((id) => !rcv.ids().has(id));

      const acked = ops.reduce((n, o) => n + o.ackedBeforeKill.length, 0);
      process.stdout.write(
        `[crash] ${OPS} keyed creates (${ops.filter((o) => o.kind === 'client').length} clients, ${ops.filter((o) => o.kind === 'key').length} keys), ${WORKERS} concurrent; ` +
          `${KILLS} × SIGKILL after ${kills.join('/')} completions; ${ops.reduce((n, o) => n + o.cutByKill, 0)} requests cut by a kill, ` +
          `${acknowledged} first answers (${acked} acknowledged before a kill); ${inProgressAnswers} answers 409 IN_PROGRESS; ` +
          `stuck ${stuck.length}, duplicates ${duplicates.length}, lost ${lost.length}, orphaned claims ${orphans.rows[0]!.n}, ` +
          `undelivered ${undelivered.length}/${want.length}, receiver failures ${rcv.failures.length}; ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
      assert.deepEqual(unexpected, [], 'only 201 (or 409 in progress) answers');
      assert.ok(ops.reduce((n, o) => n + o.cutByKill, 0) >= KILLS, 'the kills cut requests in flight');
      assert.deepEqual(stuck, [], 'no key stuck in progress after the restarts');
      assert.equal(inProgressAnswers, 0, 'no 409 IDEMPOTENCY_IN_PROGRESS at all (one request per key at a time)');
      assert.deepEqual(duplicates, [], 'one row per Idempotency-Key');
      assert.deepEqual(lost, [], 'every acknowledged write survived');
      assert.deepEqual(problems, []);
      assert.equal(orphans.rows[0]!.n, 0, 'no idempotency claim without its response');
      assert.equal(events.rows.length, OPS + OWNERS, 'one create event per client and key');
      assert.deepEqual(
        events.rows.filter((e) => e.deliveries !== 1),
        [],
        'every event has its delivery row',
      );
      assert.deepEqual(undelivered, [], 'every committed event delivered');
      assert.deepEqual(rcv.failures, [], 'every delivery verified');
    } finally {
      await db.end();
    }
    assert.equal(await server.kill('SIGTERM'), 0, server.output());
  });
});
