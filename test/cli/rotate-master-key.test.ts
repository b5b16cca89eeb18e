/**
 * Master-key rotation: every value sealed under the old master key (client data keys, the
 * pepper, the JWT signing keys, account webhook secrets with their previous one, recorded
 * idempotent responses) is re-wrapped under the new one, online, in batches, interrupted once
 * and resumed. On PostgreSQL two instances with both keys serve throughout — reading and
 * writing sealed values — and none ever fails to open one; afterwards an instance with only the
 * new key reads every secret. Embedded: the data directory's key file is re-keyed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { countNotRotated, rotateMasterKey } from '../../src/cli/rotate-master-key.js';
import { signingSecretsFor } from '../../src/core/webhook-secrets.js';
import { createKeyring, type Keyring } from '../../src/crypto/envelope.js';
import { randomBytes } from '../../src/crypto/random.js';
import { type TOTP, URI } from 'otpauth';
import { openDatabase } from '../../src/storage/database.js';
import { createTestApp, type TestAccount, type TestApp } from '../support/app.js';
import { openTestDatabase, type TestDatabase, testBackends } from '../support/databases.js';
import { call, expectStatus, type Headers } from '../support/http.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OLD = randomBytes(32);
const NEW = randomBytes(32);
const PDP = { flowServiceUrl: 'https://127.0.0.1:9/flow', tokenUrl: 'https://127.0.0.1:9/token', oauthClientId: 'rotation', clientSecret: 'rotation-secret' };

interface Seeded {
  account: TestAccount;
  clients: string[];
  /** An Idempotency-Key whose create was recorded under the old key. */
  idempotencyKey: string;
  createdClientId: string;
  /** A user with two-factor authentication. */
  user: { email: string; password: string; totp: TOTP };
}

/** Every kind of sealed value, under whatever key the app seals with. */
async function seed(t: TestApp, clients: number): Promise<Seeded> {
  const account = await t.newAccount('rotation');
  const h = account.headers;
  const ids: string[] = [];
  for (let i = 0; i < clients; i++) {
    const res = await call(t, 'POST', '/v1/clients', h, { name: `rot ${i}` });
    expectStatus(res, 201, 'create client');
    ids.push(res.body.id);
    if (i % 3 === 0) expectStatus(await call(t, 'PUT', `/v1/clients/${res.body.id}/integrations/pdp`, h, PDP), 200, 'integration');
    if (i % 4 === 0) expectStatus(await call(t, 'POST', `/v1/clients/${res.body.id}/webhook-secret/generate`, h), 200, 'client webhook secret');
  }
  expectStatus(await call(t, 'POST', '/v1/webhook-secret/generate', h, {}), 200, 'account webhook secret');
  expectStatus(await call(t, 'POST', '/v1/webhook-secret/generate', h, { gracePeriodSeconds: 3600 }), 200, 'account webhook secret with a previous one');
  // A user with two-factor authentication: its TOTP secret is sealed too.
  const user = await call(t, 'POST', '/v1/users', h, { email: `rot-${randomBytes(4).toString('hex')}@example.com`, role: 'viewer' });
  const me = { authorization: `Bearer ${(await call(t, 'POST', '/api/token/', {}, { username: user.body.user.email, password: user.body.setupPassword })).body.access}` };
  const enrolled = await call(t, 'POST', '/v1/users/me/2fa', me);
  const totp = URI.parse(enrolled.body.otpauthUri) as TOTP;
  expectStatus(await call(t, 'POST', '/v1/users/me/2fa/confirm', me, { code: totp.generate() }), 200, '2FA on');
  const idempotencyKey = `rotation-${randomBytes(4).toString('hex')}`;
  const created = await call(t, 'POST', '/v1/clients', { ...h, 'idempotency-key': idempotencyKey }, { name: 'idempotent' });
  expectStatus(created, 201, 'idempotent create');
  return { account, clients: ids, idempotencyKey, createdClientId: created.body.id, user: { email: user.body.user.email, password: user.body.setupPassword, totp } };
}

/** Reads every kind of sealed value through an instance; fails if one does not open. */
async function readsEverything(t: TestApp, s: Seeded, what: string): Promise<void> {
  const h: Headers = s.account.headers;
  const replay = await call(t, 'POST', '/v1/clients', { ...h, 'idempotency-key': s.idempotencyKey }, { name: 'idempotent' });
  expectStatus(replay, 201, `${what}: idempotent replay`);
  assert.equal(replay.body.id, s.createdClientId, `${what}: the replay is the recorded answer`);
  for (const id of s.clients.filter((_c, i) => i % 3 === 0).slice(0, 3)) {
    const tested = await call(t, 'POST', `/v1/clients/${id}/integrations/pdp/test`, h);
    expectStatus(tested, 200, `${what}: integration test (opens the client's data key)`);
  }
  const secrets = await signingSecretsFor(t.services.ctx, s.account.accountId, null);
  assert.equal(secrets.length, 2, `${what}: the account webhook secret and its previous one`);
  expectStatus(await call(t, 'GET', '/v1/clients?limit=1', h), 200, `${what}: a key verifies (the pepper)`);
  // The TOTP secret opens: a sign-in with a code is judged (200, or 401 once that step is
  // used), never a 500 of a secret that does not open.
  const code = s.user.totp.generate({ timestamp: Date.now() + 30_000 });
  const signIn = await call(t, 'POST', '/api/token/', {}, { username: s.user.email, password: s.user.password, otp: code });
  if (signIn.status !== 200 && signIn.status !== 401) throw new Error(`${what}: sign-in with a code answered ${signIn.status} ${signIn.raw}`);
}

for (const backend of testBackends()) {
  describe(`rotate-master-key [${backend}]`, () => {
    let database: TestDatabase;
    let before1: TestApp;
    let s: Seeded;
    const both: Keyring = createKeyring(NEW, [OLD]);

    before(async () => {
      database = await openTestDatabase(backend);
      before1 = await createTestApp(backend, { database, keyring: createKeyring(OLD), outboundAllowHosts: '' });
      s = await seed(before1, 24);
      await before1.close();
    });
    after(async () => {
      await database?.close();
    });

    it('re-wraps every sealed value, interrupted once and resumed, while instances serve; then the new key alone reads everything', async () => {
      // On PostgreSQL, two instances, each with its own connection pool, as two servers would be.
      const second = backend === 'postgres' ? await openDatabase({ databaseUrl: database.url! }) : undefined;
      const serving = [await createTestApp(backend, { database, keyring: both }), ...(second ? [await createTestApp(backend, { database: second, keyring: both })] : [])];
      const total = await countNotRotated(database.db, both);
      assert.ok(total >= 24 + 2 + 2 + 1, `sealed values under the old key: ${total}`);
      let stop = false;
      const failures: string[] = [];
      let rounds = 0;
      // Instances with both keys serve all along: every sealed value must open at every moment.
      const load = (async () => {
        while (!stop) {
          for (const [i, t] of serving.entries()) {
            await readsEverything(t, s, `instance ${i}`).catch((err: Error) => failures.push(err.message));
            const created = await call(t, 'POST', '/v1/clients', s.account.headers, { name: `during ${rounds}` });
            if (created.status !== 201) failures.push(`create during rotation: ${created.status} ${created.raw}`);
          }
          rounds++;
        }
      })();
      try {
        // First run: interrupted after two batches.
        const interrupt = new AbortController();
        let batches = 0;
        const first = await rotateMasterKey(database.db, both, {
          batchSize: 5,
          signal: interrupt.signal,
          onProgress: (p) => {
            if (p.done > 0 && ++batches >= 2) interrupt.abort();
          },
        });
        assert.ok(first.remaining > 0, 'the interrupted run left work');
        assert.ok(first.rewrapped.reduce((n, r) => n + r.count, 0) >= 10);
        // Resumed: runs to the end.
        const second = await rotateMasterKey(database.db, both, { batchSize: 5 });
        assert.equal(second.remaining, 0);
        assert.equal(second.primaryKeyId, both.primaryId);
      } finally {
        stop = true;
        await load;
      }
      assert.ok(rounds >= 1, 'the instances served during the rotation');
      assert.deepEqual(failures, []);
      for (const t of serving) await t.close();
      await second?.close();
      // Nothing names the old key any more; an instance with only the new key reads it all.
      assert.equal(await countNotRotated(database.db, createKeyring(NEW)), 0);
      const onlyNew = await createTestApp(backend, { database, keyring: createKeyring(NEW) });
      try {
        await readsEverything(onlyNew, s, 'new key only');
      } finally {
        await onlyNew.close();
      }
      // A second run finds nothing to do.
      const again = await rotateMasterKey(database.db, both);
      assert.deepEqual(
        again.rewrapped.map((r) => r.count),
        again.rewrapped.map(() => 0),
      );
    });

    it('stops with the public id of a key it does not hold, changing nothing', async () => {
      const stranger = createKeyring(randomBytes(32), [NEW]);
      const other = createKeyring(randomBytes(32)); // neither NEW nor OLD: cannot open anything
      const before = await countNotRotated(database.db, stranger);
      await assert.rejects(rotateMasterKey(database.db, other, { batchSize: 5 }), /unknown envelope key id [0-9a-f]{16}/);
      assert.equal(await countNotRotated(database.db, stranger), before);
    });
  });
}

describe('rotate-master-key, embedded data directory key file', () => {
  it('re-keys the key file: the command re-wraps everything and the new key replaces the old', { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'clientele-rotate-'));
    try {
      const env = { ...process.env, CLIENTELE_DATA_DIR: dir, DATABASE_URL: '', CLIENTELE_MASTER_KEY: '', CLIENTELE_MASTER_KEY_PREVIOUS: '', LOG_LEVEL: 'warn' };
      const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/clientele.mjs'), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 90_000 });
      const init = run('init', '--json');
      assert.equal(init.status, 0, init.stderr);
      const oldKey = readFileSync(join(dir, 'master.key'), 'utf8');
      const rotated = run('rotate-master-key', '--batch-size', '2');
      assert.equal(rotated.status, 0, rotated.stderr + rotated.stdout);
      assert.match(rotated.stdout, /client data keys: \d+ re-wrapped/);
      assert.match(rotated.stdout, /now the data directory's key file/);
      const newKey = readFileSync(join(dir, 'master.key'), 'utf8');
      assert.notEqual(newKey, oldKey);
      assert.equal(existsSync(join(dir, 'master.key.next')), false);
      // Every value opened with the new key alone (it is the only old key of the next run,
      // which rotates again: each run moves to a fresh key).
      const again = run('rotate-master-key');
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /key-hash pepper: 1 re-wrapped/);
      assert.notEqual(readFileSync(join(dir, 'master.key'), 'utf8'), newKey);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
