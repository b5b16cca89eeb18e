/**
 * Receiver-side verification of Clientele webhooks, with no server code and no dependency:
 * WebCrypto only (Node ≥ 20, browsers, Deno, Bun, edge runtimes). The HMAC comparison is
 * `crypto.subtle.verify`, which is constant-time.
 *
 *   FactPulse:          X-Webhook-Signature: sha256=<hex HMAC-SHA256(UTF-8 secret, raw body)>
 *   Standard Webhooks:  webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256(
 *                       base64-decoded secret after "whsec_", "<id>.<timestamp>.<raw body>")>
 *                       (several space-separated signatures during a secret's grace period)
 *
 * Always verify the raw body bytes exactly as received, before parsing them.
 * @see https://www.standardwebhooks.com/
 */
export type WebhookBody = string | Uint8Array | ArrayBuffer;
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface StandardOptions {
  /** Largest accepted distance between `webhook-timestamp` and now (default 300 s). */
  toleranceSeconds?: number;
  now?: Date;
}

const encoder = new TextEncoder();

function bytes(body: WebhookBody): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body instanceof Uint8Array ? body : new Uint8Array(body);
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(' ') : v;
  }
  return undefined;
}

function hmacKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
}

function fromBase64(text: string): Uint8Array | undefined {
  try {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

function fromHex(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) return undefined;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const verifyHmac = (key: CryptoKey, signature: Uint8Array, data: Uint8Array) => crypto.subtle.verify('HMAC', key, signature as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);

/** FactPulse rule: `X-Webhook-Signature: sha256=<hex>` over the raw body, keyed with the secret string. No timestamp. */
export async function verifyFactPulseSignature(secret: string, body: WebhookBody, signatureHeader: string | null | undefined): Promise<boolean> {
  if (typeof signatureHeader !== 'string' || !signatureHeader.startsWith('sha256=')) return false;
  const signature = fromHex(signatureHeader.slice(7));
  if (!signature) return false;
  return verifyHmac(await hmacKey(encoder.encode(secret)), signature, bytes(body));
}

/** Standard Webhooks rule, refusing a timestamp further than `toleranceSeconds` from now. */
export async function verifyStandardWebhook(secret: string, body: WebhookBody, headers: WebhookHeaders, options: StandardOptions = {}): Promise<boolean> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const rawKey = fromBase64(secret.startsWith('whsec_') ? secret.slice(6) : secret);
  if (!rawKey || rawKey.length === 0) return false;
  const key = await hmacKey(rawKey);
  const signed = concat(encoder.encode(`${id}.${timestamp}.`), bytes(body));
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',', 2);
    const signature = version === 'v1' && value ? fromBase64(value) : undefined;
    if (signature && (await verifyHmac(key, signature, signed))) return true;
  }
  return false;
}

/**
 * Verifies whichever scheme the request carries: Standard Webhooks when its headers are
 * present (it binds a timestamp, so replays are refused), FactPulse's otherwise.
 */
export async function verifyWebhook(secret: string, body: WebhookBody, headers: WebhookHeaders, options: StandardOptions = {}): Promise<boolean> {
  if (header(headers, 'webhook-signature') !== undefined) return verifyStandardWebhook(secret, body, headers, options);
  return verifyFactPulseSignature(secret, body, header(headers, 'x-webhook-signature'));
}
