/**
 * Rate limits for the platform: limits on keys, clients and account defaults checked by
 * POST /v1/keys/verify, and the standalone POST /v1/ratelimit with per-namespace overrides.
 * A controllable clock moves windows; every backend the run has counts them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TestAccount, type TestApp, useTestApp } from '../support/app.js';
import { testBackends } from '../support/databases.js';
import { assertProblem, call, expectStatus, type Headers } from '../support/http.js';

/** 2026-01-01T00:00:10Z: ten seconds into a minute window. */
const START = Date.UTC(2026, 0, 1, 0, 0, 10);

for (const backend of testBackends()) {
  describe(`rate limits [${backend}]`, () => {
    let t: TestApp;
    let acc: TestAccount;
    let h: Headers;
    let clock = START;
    useTestApp(backend, (s) => ({ t, acc, h } = s), { now: () => new Date(clock), logLevel: 'warn' });

    const newClient = async (body: Record<string, unknown> = {}) => {
      const res = await call(t, 'POST', '/v1/clients', h, { name: 'Limited', ...body });
      expectStatus(res, 201, 'create client');
      return res.body;
    };
    const newKey = async (body: Record<string, unknown> = {}) => {
      const res = await call(t, 'POST', '/v1/keys', h, body);
      expectStatus(res, 201, 'create key');
      return res.body as { key: Record<string, any>; token: string };
    };
    const verify = async (body: Record<string, unknown>) => {
      const res = await call(t, 'POST', '/v1/keys/verify', h, body);
      expectStatus(res, 200, 'verify');
      return res.body;
    };

    it('keys and clients take ratelimits on create and update and show them; autoApply defaults to false', async () => {
      const c = await newClient({ ratelimits: [{ name: 'requests', limit: 100, duration: 60_000 }] });
      assert.deepEqual(c.ratelimits, [{ name: 'requests', limit: 100, duration: 60_000, autoApply: false }]);
      const k = await newKey({ clientId: c.id, ratelimits: [{ name: 'burst', limit: 5, duration: 1_000, autoApply: true }] });
      assert.deepEqual(k.key.ratelimits, [{ name: 'burst', limit: 5, duration: 1_000, autoApply: true }]);
      const patched = await call(t, 'PATCH', `/v1/keys/${k.key.keyId}`, h, { ratelimits: [] });
      expectStatus(patched, 200, 'clear key limits');
      assert.deepEqual(patched.body.ratelimits, []);
      const got = await call(t, 'GET', `/v1/clients/${c.id}`, h);
      assert.deepEqual(got.body.ratelimits, c.ratelimits);
      const account = await call(t, 'PATCH', '/v1/account', h, { ratelimits: [{ name: 'requests', limit: 1_000, duration: 3_600_000, autoApply: false }] });
      expectStatus(account, 200, 'account defaults');
      assert.deepEqual(account.body.ratelimits, [{ name: 'requests', limit: 1_000, duration: 3_600_000, autoApply: false }]);
      expectStatus(await call(t, 'PATCH', '/v1/account', h, { ratelimits: [] }), 200, 'clear account defaults');
    });

    it('a bad limit is refused naming its field, and changes nothing', async () => {
      const c = await newClient();
      const twice = [
        { name: 'a', limit: 1, duration: 1_000 },
        { name: 'a', limit: 2, duration: 1_000 },
      ];
      assertProblem(await call(t, 'PATCH', `/v1/clients/${c.id}`, h, { ratelimits: twice }), 400, 'VALIDATION_FAILED', 'body.ratelimits.1.name');
      assertProblem(await call(t, 'POST', '/v1/keys', h, { ratelimits: [{ name: 'a', limit: 1, duration: 10 }] }), 400, 'VALIDATION_FAILED', 'body.ratelimits.0.duration');
      assertProblem(await call(t, 'POST', '/v1/keys', h, { ratelimits: [{ name: 'a b', limit: 1, duration: 1_000 }] }), 400, 'VALIDATION_FAILED', 'body.ratelimits.0.name');
      assertProblem(await call(t, 'PATCH', '/v1/account', h, { ratelimits: [{ name: 'a', limit: 0, duration: 1_000 }] }), 400, 'VALIDATION_FAILED', 'body.ratelimits.0.limit');
      assert.deepEqual((await call(t, 'GET', `/v1/clients/${c.id}`, h)).body.ratelimits, []);
    });

    it("a client's own key may not change its client's limits, nor set any on its keys", async () => {
      const c = await newClient();
      const k = await newKey({ clientId: c.id });
      const asClient = { 'x-api-key': k.token };
      const lift = [{ name: 'calls', limit: 1_000_000_000, duration: 1_000, autoApply: true }];
      assertProblem(await call(t, 'PATCH', `/v1/clients/${c.id}`, asClient, { ratelimits: lift }), 403, 'FORBIDDEN');
      assertProblem(await call(t, 'PATCH', `/v1/keys/${k.key.keyId}`, asClient, { ratelimits: lift }), 403, 'FORBIDDEN');
      assertProblem(await call(t, 'POST', '/v1/keys', asClient, { clientId: c.id, ratelimits: lift }), 403, 'FORBIDDEN');
      assert.deepEqual((await call(t, 'GET', `/v1/keys/${k.key.keyId}`, h)).body.ratelimits, []);
    });

    it('verify checks auto-applied limits: RATE_LIMITED once used up, reported every time; a new window admits again', async () => {
      clock = START;
      const k = await newKey({ ratelimits: [{ name: 'per-minute', limit: 3, duration: 60_000, autoApply: true }] });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await verify({ token: k.token }));
      assert.deepEqual(
        answers.map((a) => a.code),
        ['VALID', 'VALID', 'VALID', 'RATE_LIMITED', 'RATE_LIMITED'],
      );
      assert.equal(answers[3].valid, false);
      assert.equal(answers[3].keyId, k.key.keyId);
      const reset = Date.UTC(2026, 0, 1, 0, 1, 0);
      assert.deepEqual(answers[0].ratelimits, [{ name: 'per-minute', limit: 3, remaining: 2, reset, exceeded: false }]);
      assert.deepEqual(answers[3].ratelimits, [{ name: 'per-minute', limit: 3, remaining: 0, reset, exceeded: true }]);
      clock = reset;
      const next = await verify({ token: k.token });
      assert.equal(next.code, 'VALID');
      assert.equal(next.ratelimits[0].remaining, 2);
    });

    it('a limit without autoApply is checked only when the verify names it, at the cost it names', async () => {
      clock = START + 120_000;
      const k = await newKey({ ratelimits: [{ name: 'tokens', limit: 10, duration: 60_000 }] });
      assert.deepEqual((await verify({ token: k.token })).ratelimits, [], 'not named: not checked');
      const spent = await verify({ token: k.token, ratelimits: [{ name: 'tokens', cost: 7 }] });
      assert.equal(spent.code, 'VALID');
      assert.equal(spent.ratelimits[0].remaining, 3);
      const over = await verify({ token: k.token, ratelimits: [{ name: 'tokens', cost: 4 }] });
      assert.equal(over.code, 'RATE_LIMITED');
      assert.equal(over.ratelimits[0].remaining, 3, 'a refused call spends nothing');
      const read = await verify({ token: k.token, ratelimits: [{ name: 'tokens', cost: 0 }] });
      assert.equal(read.code, 'VALID');
      assert.equal(read.ratelimits[0].remaining, 3);
    });

    it('a verify naming a limit that does not exist is refused, naming the field', async () => {
      const k = await newKey();
      const res = await call(t, 'POST', '/v1/keys/verify', h, { token: k.token, ratelimits: [{ name: 'nope' }] });
      assertProblem(res, 400, 'VALIDATION_FAILED', 'body.ratelimits.0.name');
    });

    it("a client's limit is shared by all its keys; a key's own limit of the same name wins over it", async () => {
      clock = START + 240_000;
      const c = await newClient({ ratelimits: [{ name: 'calls', limit: 4, duration: 60_000, autoApply: true }] });
      const k1 = await newKey({ clientId: c.id });
      const k2 = await newKey({ clientId: c.id });
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await verify({ token: k1.token })).code, (await verify({ token: k2.token })).code);
      assert.deepEqual(codes.sort(), ['RATE_LIMITED', 'RATE_LIMITED', 'VALID', 'VALID', 'VALID', 'VALID']);
      const own = await newKey({ clientId: c.id, ratelimits: [{ name: 'calls', limit: 1, duration: 60_000, autoApply: true }] });
      assert.equal((await verify({ token: own.token })).code, 'VALID', "the key's own limit, not the used-up client's");
      assert.equal((await verify({ token: own.token })).code, 'RATE_LIMITED');
    });

    it("the account's defaults apply to every key, each key counted on its own", async () => {
      clock = START + 360_000;
      expectStatus(await call(t, 'PATCH', '/v1/account', h, { ratelimits: [{ name: 'default', limit: 2, duration: 60_000, autoApply: true }] }), 200, 'defaults');
      try {
        const a = await newKey();
        const b = await newKey();
        const codes = (k: { token: string }) => Promise.all([1, 2, 3].map(() => verify({ token: k.token }))).then((r) => r.map((x) => x.code).sort());
        assert.deepEqual(await codes(a), ['RATE_LIMITED', 'VALID', 'VALID']);
        assert.deepEqual(await codes(b), ['RATE_LIMITED', 'VALID', 'VALID']);
      } finally {
        expectStatus(await call(t, 'PATCH', '/v1/account', h, { ratelimits: [] }), 200, 'clear defaults');
      }
    });

    it('a rate-limited verify is not counted as a use of the key', async () => {
      clock = START + 480_000;
      const c = await newClient();
      const k = await newKey({ clientId: c.id, ratelimits: [{ name: 'one', limit: 1, duration: 60_000, autoApply: true }] });
      await verify({ token: k.token });
      for (let i = 0; i < 3; i++) assert.equal((await verify({ token: k.token })).code, 'RATE_LIMITED');
      await new Promise((r) => setTimeout(r, 150)); // the usage flush (50 ms in tests)
      const usage = await call(t, 'GET', `/v1/clients/${c.id}/usage?month=2026-01`, h);
      expectStatus(usage, 200, 'usage');
      assert.equal(usage.body.metrics.find((m: { metric: string }) => m.metric === 'calls')?.total, 1);
    });

    it('POST /v1/ratelimit spends an identifier’s limit in a namespace; an override replaces it', async () => {
      clock = START + 600_000;
      const check = (identifier: string, extra: Record<string, unknown> = {}) => call(t, 'POST', '/v1/ratelimit', h, { namespace: 'email.send', identifier, limit: 2, duration: 60_000, ...extra });
      const first = await check('user-1');
      expectStatus(first, 200, 'check');
      assert.deepEqual(first.body, { success: true, limit: 2, remaining: 1, reset: Date.UTC(2026, 0, 1, 0, 11, 0), overridden: false });
      assert.equal((await check('user-1')).body.success, true);
      const refused = await check('user-1');
      assert.equal(refused.body.success, false);
      assert.equal(refused.body.remaining, 0);
      assert.equal((await check('user-2')).body.success, true, 'another identifier, another counter');
      assert.equal((await check('user-3', { cost: 3 })).body.success, false, 'a cost above the limit');

      const put = await call(t, 'PUT', '/v1/ratelimit/namespaces/email.send/overrides/vip', h, { limit: 5, duration: 60_000 });
      expectStatus(put, 200, 'override');
      assert.equal(put.body.limit, 5);
      const vip = [];
      for (let i = 0; i < 6; i++) vip.push((await check('vip')).body);
      assert.deepEqual(
        vip.map((v) => v.success),
        [true, true, true, true, true, false],
      );
      assert.ok(vip.every((v) => v.overridden && v.limit === 5));
      const listed = await call(t, 'GET', '/v1/ratelimit/namespaces/email.send/overrides', h);
      assert.deepEqual(
        listed.body.data.map((o: any) => [o.identifier, o.limit, o.duration]),
        [['vip', 5, 60_000]],
      );
      expectStatus(await call(t, 'DELETE', '/v1/ratelimit/namespaces/email.send/overrides/vip', h), 204, 'delete override');
      assert.equal((await check('vip')).body.overridden, false);
      assertProblem(await call(t, 'DELETE', '/v1/ratelimit/namespaces/email.send/overrides/vip', h), 404, 'NOT_FOUND');
      assertProblem(await call(t, 'POST', '/v1/ratelimit', h, { namespace: 'x', identifier: 'y', limit: 1, duration: 5 }), 400, 'VALIDATION_FAILED', 'body.duration');
      const events = await call(t, 'GET', '/v1/events?type=ratelimit.override_set', h);
      assert.equal(events.body.data.length, 1);
    });

    it("another account's namespace is its own", async () => {
      clock = START + 720_000;
      const other = await t.newAccount();
      const body = { namespace: 'shared-name', identifier: 'same', limit: 1, duration: 60_000 };
      assert.equal((await call(t, 'POST', '/v1/ratelimit', h, body)).body.success, true);
      assert.equal((await call(t, 'POST', '/v1/ratelimit', other.headers, body)).body.success, true);
      expectStatus(await call(t, 'PUT', '/v1/ratelimit/namespaces/shared-name/overrides/same', other.headers, { limit: 9, duration: 60_000 }), 200, 'override');
      assert.deepEqual((await call(t, 'GET', '/v1/ratelimit/namespaces/shared-name/overrides', h)).body.data, []);
    });

    it('a client credential may not use POST /v1/ratelimit', async () => {
      const c = await newClient();
      const k = await newKey({ clientId: c.id });
      assertProblem(await call(t, 'POST', '/v1/ratelimit', { 'x-api-key': k.token }, { namespace: 'n', identifier: 'i', limit: 1, duration: 1_000 }), 403, 'FORBIDDEN');
    });
  });
}
