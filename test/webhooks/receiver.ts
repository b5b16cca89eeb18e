/**
 * A real webhook receiver for tests: node:http on 127.0.0.1, recording every request and
 * verifying EVERY one of them the way a customer would —
 *
 *   - Standard Webhooks, with the public `standardwebhooks` package:
 *       new Webhook(secret).verify(rawBody, headers)
 *   - FactPulse: `X-Webhook-Signature: sha256=<hex HMAC-SHA256(key = UTF-8 bytes of the secret
 *     string, raw body)>`, compared in constant time (implemented here, independently of src/).
 *
 * `secrets` lists the secrets the receiver knows; for each request it records which of them
 * verify under each rule, and a request that verifies under neither rule with any of them is
 * a failure (`failures`). Tests assert `failures` is empty and look at `standardOk` /
 * `factPulseOk` to check which secret signed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

interface Received {
  /** 1-based arrival number at this receiver. */
  n: number;
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  raw: string;
  /** Parsed JSON body (undefined when it is not JSON). */
  body: any;
  /** `webhook-id` header. */
  id: string;
  /** performance.now() when the request body was complete. */
  at: number;
  /** Secrets for which `standardwebhooks` verified the request. */
  standardOk: string[];
  /** Secrets for which the FactPulse `X-Webhook-Signature` rule verified the request. */
  factPulseOk: string[];
}

interface Reply {
  status?: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the connection stays open until the receiver closes). */
  hang?: boolean;
  /** Send the status line at once, then one byte every `everyMs` for `count` bytes. */
  drip?: { everyMs: number; count: number };
}

export interface ReceiverOptions {
  /** Port to listen on (0 = any free one). */
  port?: number;
  secrets?: string[];
  /** How to answer; default 200 "ok". */
  respond?: (r: Received) => Reply | Promise<Reply>;
  /**
   * Standard Webhooks verification with the package's timestamp check (±5 minutes of the
   * real clock). Tests driving a fake clock set false: the signature is then checked with the
   * package's own `sign` for the received timestamp.
   */
  checkTimestamp?: boolean;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Requests that no known secret verified (each with the reason). */
  failures: string[];
  secrets: string[];
  respond: (r: Received) => Reply | Promise<Reply>;
  /** Requests whose path starts with `prefix`. */
  at(prefix: string): Received[];
  /** Distinct `webhook-id`s received (optionally on a path prefix). */
  ids(prefix?: string): Set<string>;
  close(): Promise<void>;
}

function factPulseSign(secret: string, raw: string): string {
  return 'sha256=' + createHmac('sha256', Buffer.from(secret, 'utf8')).update(raw).digest('hex');
}

function constantTimeEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function standardVerifies(secret: string, raw: string, headers: IncomingHttpHeaders, checkTimestamp: boolean): boolean {
  const wh = new Webhook(secret);
  const flat = { 'webhook-id': header(headers, 'webhook-id') ?? '', 'webhook-timestamp': header(headers, 'webhook-timestamp') ?? '', 'webhook-signature': header(headers, 'webhook-signature') ?? '' };
  if (checkTimestamp) {
    try {
      wh.verify(raw, flat);
      return true;
    } catch {
      return false;
    }
  }
  // Same comparison the package makes, for the received timestamp (fake clocks).
  const ts = Number(flat['webhook-timestamp']);
  if (!Number.isInteger(ts)) return false;
  const expected = wh.sign(flat['webhook-id'], new Date(ts * 1000), raw).split(',')[1]!;
  return flat['webhook-signature'].split(' ').some((s) => s.startsWith('v1,') && constantTimeEquals(s.slice(3), expected));
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const received: Received[] = [];
  const failures: string[] = [];
  const checkTimestamp = options.checkTimestamp ?? true;
  const receiver: Receiver = {
    url: '',
    port: 0,
    received,
    failures,
    secrets: options.secrets ?? [],
    respond: options.respond ?? (() => ({ status: 200, body: 'ok' })),
    at: (prefix) => received.filter((r) => r.path.startsWith(prefix)),
    ids: (prefix = '') => new Set(received.filter((r) => r.path.startsWith(prefix)).map((r) => r.id)),
    close: async () => {},
  };
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const r: Received = {
        n: received.length + 1,
        path: req.url ?? '/',
        method: req.method ?? '',
        headers: req.headers,
        raw,
        body,
        id: header(req.headers, 'webhook-id') ?? '',
        at: performance.now(),
        standardOk: [],
        factPulseOk: [],
      };
      const fpHeader = header(req.headers, 'x-webhook-signature');
      for (const s of receiver.secrets) {
        if (standardVerifies(s, raw, req.headers, checkTimestamp)) r.standardOk.push(s);
        if (fpHeader !== undefined && constantTimeEquals(fpHeader, factPulseSign(s, raw))) r.factPulseOk.push(s);
      }
      if (r.standardOk.length === 0) failures.push(`#${r.n} ${r.path} ${r.id}: no known secret verifies webhook-signature (standardwebhooks)`);
      if (r.factPulseOk.length === 0) failures.push(`#${r.n} ${r.path} ${r.id}: no known secret verifies X-Webhook-Signature (FactPulse rule)`);
      received.push(r);
      let reply: Reply;
      try {
        reply = await receiver.respond(r);
      } catch (err) {
        reply = { status: 599, body: String(err) };
      }
      if (reply.hang) return;
      const send = () => {
        if (res.destroyed) return;
        if (reply.drip) {
          res.writeHead(reply.status ?? 200, reply.headers);
          let sent = 0;
          const t = setInterval(() => {
            if (res.destroyed || sent >= reply.drip!.count) {
              clearInterval(t);
              timers.delete(t);
              if (!res.destroyed) res.end();
              return;
            }
            res.write('.');
            sent += 1;
          }, reply.drip.everyMs);
          timers.add(t);
          return;
        }
        res.writeHead(reply.status ?? 200, reply.headers);
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          send();
        }, reply.delayMs);
        timers.add(t);
      } else send();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  receiver.port = port;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

/** Polls `check` until it returns true (or a truthy value), failing after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
