import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { factPulseSignature, signatureHeaders, verifyFactPulseSignature, verifyStandardSignature } from './webhook-signature.js';

const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const other = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
const body = JSON.stringify({ type: 'client.created', data: { id: 'x' } });

describe('webhook signatures', () => {
  it('FactPulse: sha256=<hex> over the raw body with the secret string as key', () => {
    const sig = factPulseSignature(secret, body);
    assert.match(sig, /^sha256=[0-9a-f]{64}$/);
    assert.ok(verifyFactPulseSignature(secret, body, sig));
    assert.ok(!verifyFactPulseSignature(other, body, sig));
    assert.ok(!verifyFactPulseSignature(secret, body + ' ', sig));
    assert.ok(!verifyFactPulseSignature(secret, body, undefined));
  });

  it('Standard Webhooks: the public verifier accepts our headers with the secret as returned', () => {
    const ts = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders([secret], 'evt_1', ts, body);
    const payload = new Webhook(secret).verify(body, headers) as { type: string };
    assert.equal(payload.type, 'client.created');
    assert.throws(() => new Webhook(other).verify(body, headers));
    assert.throws(() => new Webhook(secret).verify(body.replace('x', 'y'), headers));
  });

  it('during a grace period both signatures are sent and either secret verifies', () => {
    const ts = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders([secret, other], 'evt_2', ts, body);
    assert.equal(headers['webhook-signature']!.split(' ').length, 2);
    new Webhook(secret).verify(body, headers);
    new Webhook(other).verify(body, headers);
    assert.ok(verifyStandardSignature(other, { id: 'evt_2', timestamp: String(ts), signature: headers['webhook-signature'] }, body));
    assert.ok(verifyFactPulseSignature(secret, body, headers['x-webhook-signature']), 'FactPulse header carries the current secret');
  });

  it('rejects stale timestamps and malformed headers', () => {
    const ts = Math.floor(Date.now() / 1000) - 3600;
    const h = signatureHeaders([secret], 'evt_3', ts, body);
    assert.ok(!verifyStandardSignature(secret, { id: 'evt_3', timestamp: String(ts), signature: h['webhook-signature'] }, body));
    assert.ok(verifyStandardSignature(secret, { id: 'evt_3', timestamp: String(ts), signature: h['webhook-signature'] }, body, { toleranceSeconds: 7200 }));
    assert.ok(!verifyStandardSignature(secret, { id: 'evt_3', timestamp: 'abc', signature: h['webhook-signature'] }, body));
    assert.ok(!verifyStandardSignature(secret, { id: 'other', timestamp: String(ts), signature: h['webhook-signature'] }, body, { toleranceSeconds: 7200 }));
  });
});
