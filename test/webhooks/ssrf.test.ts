/**
 * SSRF guard of outgoing webhooks: private, loopback, link-local (and names resolving to them)
 * are refused when an endpoint is saved, unless CLIENTELE_WEBHOOK_ALLOW_HOSTS allows them;
 * redirects are never followed; and the resolved address is checked again at connect time, so
 * a name that resolves to a private address only at delivery time (DNS rebinding) is refused.
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../support/databases.js';
import { accountSecret, assertInvalid, createClient, createEndpoint, createHarness, deliveries, type Harness } from './harness.js';
import { sleep, startReceiver, type Receiver } from './receiver.js';

const REBIND_HOST = 'rebind.clientele.test';

/** Makes REBIND_HOST look public to the save-time check (dns/promises) and loopback at connect time (dns.lookup). */
function fakeRebindingDns(): () => void {
  const promisesLookup = dns.promises.lookup;
  const callbackLookup = dns.lookup;
  (dns.promises as any).lookup = (host: string, options?: any) =>
    host === REBIND_HOST ? Promise.resolve(options?.all ? [{ address: '93.184.215.14', family: 4 }] : { address: '93.184.215.14', family: 4 }) : (promisesLookup as any)(host, options);
  (dns as any).lookup = (host: string, options: any, callback: any) => {
    if (host !== REBIND_HOST) return (callbackLookup as any)(host, options, callback);
    const cb = typeof options === 'function' ? options : callback;
    const all = typeof options === 'object' && options?.all;
    process.nextTick(() => (all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
  };
  syncBuiltinESMExports();
  return () => {
    (dns.promises as any).lookup = promisesLookup;
    (dns as any).lookup = callbackLookup;
    syncBuiltinESMExports();
  };
}

for (const backend of testBackends()) {
  describe(`webhook SSRF guard [${backend}]`, () => {
    let deny: Harness; // no allow-list (the default)
    let allow: Harness; // CLIENTELE_WEBHOOK_ALLOW_HOSTS=127.0.0.1
    let target: Receiver;
    let redirector: Receiver;

    before(async () => {
      deny = await createHarness(backend);
      allow = await createHarness(backend, { outboundAllowHosts: '127.0.0.1' });
      target = await startReceiver();
      redirector = await startReceiver({
        respond: (req) => ({ status: Number(req.path.split('/')[2]), headers: { location: `${target.url}/stolen${req.path}` }, body: 'moved' }),
      });
      for (const h of [deny, allow]) {
        const s = await accountSecret(h);
        target.secrets.push(s);
        redirector.secrets.push(s);
      }
    });
    after(async () => {
      await deny?.close();
      await allow?.close();
      await target?.close();
      await redirector?.close();
    });

    it('refuses private, loopback, link-local and loopback-resolving URLs with a 400 naming body.url', async () => {
      const refused = [
        'http://127.0.0.1:8080/hook',
        'http://127.9.9.9/hook',
        'http://2130706433/hook', // 127.0.0.1 in decimal
        'http://0x7f.1/hook',
        'http://0.0.0.0/hook',
        'http://10.0.0.5/hook',
        'http://172.16.3.4/hook',
        'http://192.168.1.10/hook',
        'http://100.64.0.1/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://[::1]:8080/hook',
        'http://[fe80::1]/hook',
        'http://[fd12:3456::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://[::ffff:169.254.169.254]/hook',
        'http://localhost:8080/hook',
        'http://LOCALHOST:8080/hook',
      ];
      for (const url of refused) {
        const res = await deny.call('POST', '/v1/webhook-endpoints', { url });
        assertInvalid(res, 'body.url', url);
        assert.match(res.body.errors[0].message, /private|loopback|link-local/, url);
      }
      assert.deepEqual((await deny.call('GET', '/v1/webhook-endpoints')).body.data, [], 'nothing was saved');
      // Changing an endpoint's URL is checked too.
      const ok = await createEndpoint(deny, { url: 'https://93.184.215.14/hook' });
      assertInvalid(await deny.call('PATCH', `/v1/webhook-endpoints/${ok.id}`, { url: 'http://169.254.169.254/' }), 'body.url', 'PATCH');
      assert.equal((await deny.call('GET', `/v1/webhook-endpoints/${ok.id}`)).body.url, 'https://93.184.215.14/hook');
      assert.equal((await deny.call('DELETE', `/v1/webhook-endpoints/${ok.id}`)).status, 204);

      // The allow-list opens exactly what it names.
      assert.equal((await allow.call('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:8080/hook' })).status, 201);
      for (const url of ['http://10.0.0.5/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/hook'])
        assertInvalid(await allow.call('POST', '/v1/webhook-endpoints', { url }), 'body.url', `allow-list: ${url}`);
    });

    it('with the allow-list, a loopback receiver gets its deliveries', async () => {
      const ep = await createEndpoint(allow, { url: `${target.url}/allowed`, events: ['client.created'] });
      await createClient(allow, 'Loopback Co');
      const d = allow.dispatcher();
      await allow.drain(d, 'delivery', () => target.at('/allowed').length === 1);
      const [row] = await deliveries(allow, ep.id);
      assert.equal(row.status, 'succeeded');
      assert.deepEqual(target.failures, []);
    });

    it('without it, a delivery to a loopback URL (saved while allowed) is refused at connect', async () => {
      // Same database rows, different policy: simulate an operator narrowing the allow-list.
      const ep = await createEndpoint(allow, { url: `${target.url}/narrowed`, events: ['client.created'] });
      const strict = deny.t.services.ctx;
      const row = await allow.t.services.ctx.store.webhooks.getEndpoint(allow.acc.accountId, ep.id);
      assert.ok(row);
      await assert.rejects(strict.outbound.send({ url: row.url, body: '{}', timeoutMs: 1000 }), /not allowed/);
      assert.equal(target.at('/narrowed').length, 0);
    });

    it('does not follow redirects: the 3xx is recorded as a failed attempt and its target is never hit', async () => {
      const eps: Array<readonly [number, any]> = [];
      for (const code of [301, 302, 307, 308]) eps.push([code, await createEndpoint(allow, { url: `${redirector.url}/r/${code}`, events: ['client.updated'] })] as const);
      const clientId = await createClient(allow, 'Redirect Co');
      assert.equal((await allow.call('PATCH', `/v1/clients/${clientId}`, { name: 'moved' })).status, 200);
      const d = allow.dispatcher({ retryBaseMs: 60_000 });
      await allow.drain(d, 'one attempt each', async () => {
        for (const [, ep] of eps) if ((await deliveries(allow, ep.id))[0]?.attempts !== 1) return false;
        return true;
      });
      await sleep(200);
      for (const [code, ep] of eps) {
        const [row] = await deliveries(allow, ep.id);
        assert.equal(row.responseStatus, code);
        assert.equal(row.lastError, `HTTP ${code}`);
        assert.equal(row.status, 'pending', 'a failed attempt, to be retried');
        assert.equal(row.responseBody, 'moved');
      }
      assert.equal(redirector.received.filter((x) => x.path.startsWith('/r/')).length, 4);
      assert.equal(target.at('/stolen').length, 0, 'the redirect target was never requested');
      assert.deepEqual(redirector.failures, []);
    });

    it('refuses, at connect time, a name that resolves to a private address only when delivering (DNS rebinding)', async () => {
      const restore = fakeRebindingDns();
      try {
        const url = `http://${REBIND_HOST}:${target.port}/rebind`;
        // Saved while it resolved to a public address: accepted by both.
        const refusedEp = await createEndpoint(deny, { url, events: ['client.created'] });
        const controlEp = await createEndpoint(allow, { url: url + '-allowed', events: ['client.created'] });
        await createClient(deny, 'Rebind Co');
        await createClient(allow, 'Rebind Co');
        const dDeny = deny.dispatcher({ retryBaseMs: 60_000 });
        const dAllow = allow.dispatcher({ retryBaseMs: 60_000 });
        // Control: where 127.0.0.1 is allowed, the name really does reach the receiver.
        await allow.drain(dAllow, 'control delivery', () => target.at('/rebind-allowed').length === 1);
        assert.equal((await deliveries(allow, controlEp.id))[0].status, 'succeeded');
        await deny.drain(dDeny, 'refused attempt', async () => (await deliveries(deny, refusedEp.id))[0]?.attempts === 1);
        const [row] = await deliveries(deny, refusedEp.id);
        assert.equal(row.status, 'pending');
        assert.equal(row.responseStatus, null);
        assert.match(row.lastError, /not allowed/);
        await sleep(100);
        assert.equal(target.at('/rebind').filter((x) => x.path === '/rebind').length, 0, 'never connected');
      } finally {
        restore();
      }
    });
  });
}
