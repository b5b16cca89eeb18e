/**
 * The SDK's webhook verification helpers (WebCrypto, no server code): the same answers as
 * the server's signer and the `standardwebhooks` package, and accepted on real deliveries
 * sent by the dispatcher to a loopback receiver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { Clientele, verifyFactPulseSignature, verifyStandardWebhook, verifyWebhook } from '../../sdk/src/index.js';
import { signatureHeaders } from '../../src/crypto/webhook-signature.js';
import { createHarness, type Harness } from '../webhooks/harness.js';
import { startReceiver, waitFor, type Receiver } from '../webhooks/receiver.js';
import { injectFetch, INJECT_ORIGIN } from '../support/sdk.js';

const SECRET = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const OLD = 'whsec_' + Buffer.from('fedcba9876543210fedcba9876543210').toString('base64');
const body = JSON.stringify({ id: 'evt_1', type: 'client.created', data: { name: 'Ünïcode' } });

describe('SDK webhook verification', () => {
  const now = Math.floor(Date.now() / 1000);
  const headers = signatureHeaders([SECRET, OLD], 'msg_1', now, body);

  it('verifies both formats as the server signs them (string, bytes, Headers, plain objects)', async () => {
    assert.equal(await verifyFactPulseSignature(SECRET, body, headers['x-webhook-signature']), true);
    assert.equal(await verifyStandardWebhook(SECRET, body, headers), true);
    assert.equal(await verifyStandardWebhook(OLD, new TextEncoder().encode(body), new Headers(headers)), true, 'the secret in its grace period too');
    assert.equal(await verifyWebhook(SECRET, Buffer.from(body), headers), true);
    const { 'x-webhook-signature': fp } = headers;
    assert.equal(await verifyWebhook(SECRET, body, { 'X-Webhook-Signature': fp }), true, 'FactPulse alone');
  });

  it('refuses a tampered body, another secret, a malformed header, and a stale or future timestamp', async () => {
    const other = 'whsec_' + Buffer.from('x'.repeat(32)).toString('base64');
    assert.equal(await verifyFactPulseSignature(SECRET, body + ' ', headers['x-webhook-signature']), false);
    assert.equal(await verifyFactPulseSignature(other, body, headers['x-webhook-signature']), false);
    for (const bad of [undefined, null, '', 'sha256=', 'sha256=zz', headers['x-webhook-signature']!.toUpperCase(), headers['x-webhook-signature']!.slice(7)])
      assert.equal(await verifyFactPulseSignature(SECRET, body, bad), false, String(bad));
    assert.equal(await verifyStandardWebhook(SECRET, body.replace('1', '2'), headers), false);
    assert.equal(await verifyStandardWebhook(other, body, headers), false);
    assert.equal(await verifyStandardWebhook(SECRET, body, { ...headers, 'webhook-id': 'msg_2' }), false);
    assert.equal(await verifyStandardWebhook(SECRET, body, { ...headers, 'webhook-signature': 'v2,abc v1,!!!' }), false);
    assert.equal(await verifyStandardWebhook(SECRET, body, { ...headers, 'webhook-timestamp': 'soon' }), false);
    assert.equal(await verifyStandardWebhook(SECRET, body, headers, { now: new Date((now + 301) * 1000) }), false, 'older than 5 minutes');
    assert.equal(await verifyStandardWebhook(SECRET, body, headers, { now: new Date((now - 301) * 1000) }), false, 'from the future');
    assert.equal(await verifyStandardWebhook(SECRET, body, headers, { now: new Date((now + 3000) * 1000), toleranceSeconds: 3600 }), true);
    assert.equal(await verifyWebhook(SECRET, body, {}), false);
  });

  it('agrees with the standardwebhooks package', async () => {
    const wh = new Webhook(SECRET);
    const signature = wh.sign('msg_9', new Date(now * 1000), body);
    assert.equal(await verifyStandardWebhook(SECRET, body, { 'webhook-id': 'msg_9', 'webhook-timestamp': String(now), 'webhook-signature': signature }), true);
    assert.doesNotThrow(() => wh.verify(body, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': headers['webhook-signature']! }));
  });

  describe('on real deliveries', () => {
    let h: Harness;
    let receiver: Receiver;
    before(async () => {
      h = await createHarness('embedded', { outboundAllowHosts: '127.0.0.1' });
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await h.close();
    });

    it('a receiver using only the SDK accepts what the dispatcher sends, in both formats', async () => {
      const sdk = new Clientele({ baseUrl: INJECT_ORIGIN, apiKey: h.acc.token, fetch: injectFetch(h.t.app) });
      const { webhookSecret } = await sdk.webhookSecret.account.generate();
      await sdk.webhookEndpoints.create({ url: `${receiver.url}/native`, events: ['client.created'] });
      await sdk.webhookEndpoints.create({ url: `${receiver.url}/factpulse`, events: ['client.created'], format: 'factpulse' });
      await sdk.clients.create({ name: 'Signed' });
      const d = h.dispatcher();
      await h.drain(d, 'two deliveries', () => receiver.received.length >= 2);
      await waitFor('both', () => receiver.received.length === 2);
      for (const r of receiver.received) {
        assert.equal(await verifyWebhook(webhookSecret, r.raw, r.headers as Record<string, string>), true, r.path);
        assert.equal(await verifyFactPulseSignature(webhookSecret, r.raw, r.headers['x-webhook-signature'] as string), true, r.path);
        assert.equal(await verifyWebhook(webhookSecret, r.raw + 'x', r.headers as Record<string, string>), false);
      }
    });
  });
});
