/**
 * Webhook signatures, two header sets over the same raw body:
 *
 *   FactPulse:          X-Webhook-Signature: sha256=<hex HMAC-SHA256(key = UTF-8 bytes of the secret string, raw body)>
 *   Standard Webhooks:  webhook-id, webhook-timestamp (unix seconds),
 *                       webhook-signature: v1,<base64 HMAC-SHA256(key = base64-decoded part after "whsec_",
 *                                                              "<id>.<timestamp>.<raw body>")>
 *
 * Both verify with the secret string exactly as returned (`whsec_…`). Several signatures
 * (new and old secret during a grace period) are space-separated in `webhook-signature`.
 * @see https://www.standardwebhooks.com/
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './keyed-hash.js';

const PREFIX = 'whsec_';

function standardKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

export function factPulseSignature(secret: string, body: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');
}

function standardSignature(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** Headers for one delivery; `secrets` lists the current secret first, then any still in grace. */
export function signatureHeaders(secrets: string[], id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'x-webhook-signature': factPulseSignature(secrets[0]!, body),
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => standardSignature(s, id, timestamp, body)).join(' '),
  };
}

/** Receiver side, FactPulse rule: constant-time comparison of `sha256=<hex>`. */
export function verifyFactPulseSignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  return typeof header === 'string' && constantTimeEqual(header, factPulseSignature(secret, body));
}

/** Receiver side, Standard Webhooks rule, with a timestamp tolerance (default 5 minutes). */
export function verifyStandardSignature(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string | Buffer,
  options: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = standardSignature(secret, id, Number(timestamp), body);
  return signature.split(' ').some((s) => constantTimeEqual(s, expected));
}
