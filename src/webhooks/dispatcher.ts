/**
 * The webhook dispatcher: claims due deliveries (FOR UPDATE SKIP LOCKED, so any number of
 * instances share the work without sending twice), signs and sends them, and records the
 * outcome. Failures retry with exponential back-off and full jitter for a horizon of
 * 8,640 × the base delay (three days at the default 30 s); an endpoint failing for longer
 * is disabled and an event says so. A claimed delivery whose instance dies is claimed
 * again once its lease expires (at-least-once; receivers de-duplicate on `webhook-id`).
 */
import type { CoreContext } from '../core/context.js';
import { recordEvent } from '../core/events.js';
import type { WebhookDelivery } from '../core/types.js';
import { signingSecretsFor } from '../core/webhook-secrets.js';
import { signatureHeaders } from '../crypto/webhook-signature.js';
import { webhookPayload } from './payload.js';

export interface DispatcherOptions {
  /** First retry delay; later ones double (CLIENTELE_WEBHOOK_RETRY_BASE_MS). */
  retryBaseMs?: number;
  /** Per-attempt timeout (CLIENTELE_WEBHOOK_TIMEOUT_MS). */
  timeoutMs?: number;
  /** How often to look for due deliveries. */
  pollIntervalMs?: number;
  /** Deliveries in flight per instance. */
  concurrency?: number;
  onError?: (err: unknown) => void;
  /** Random source for jitter (tests). */
  random?: () => number;
}

export interface Dispatcher {
  start(): void;
  /** Runs one claim-and-send round; resolves when its deliveries are settled. */
  tick(): Promise<number>;
  /** Stops polling and waits for deliveries in flight. */
  stop(): Promise<void>;
}

export const HORIZON_FACTOR = 8640;
const WAITING_RECHECK_MS = 30_000;
const MAX_BODY_LOG = 1024;

/**
 * Text for the delivery log: NUL replaced (PostgreSQL text cannot hold it — recording would fail
 * and the delivery be sent again and again), at most `maxBytes` UTF-8 bytes, cut on a character boundary.
 */
function forLog(text: string, maxBytes: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must go (PostgreSQL text cannot hold it)
  const clean = text.replace(/\u0000/g, '\uFFFD');
  const bytes = Buffer.from(clean, 'utf8');
  if (bytes.length <= maxBytes) return clean;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

export function createDispatcher(ctx: CoreContext, options: DispatcherOptions = {}): Dispatcher {
  const base = options.retryBaseMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const horizonMs = base * HORIZON_FACTOR;
  const concurrency = options.concurrency ?? 8;
  const random = options.random ?? Math.random;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  function backoff(attempts: number): number {
    const exp = Math.min(base * 2 ** (attempts - 1), base * 2 ** 12);
    return Math.round(exp / 2 + random() * (exp / 2));
  }

  async function settle(d: WebhookDelivery): Promise<void> {
    const store = ctx.store;
    const now = ctx.now();
    const endpoint = await store.webhooks.getEndpoint(d.accountId, d.endpointId);
    const event = await store.events.get(d.accountId, d.eventId);
    if (!endpoint || !event) {
      await store.webhooks.updateDelivery(d.id, { status: 'failed', leaseUntil: null, lastError: endpoint ? 'event no longer exists' : 'endpoint no longer exists' }, now);
      return;
    }
    if (!endpoint.enabled) {
      await store.webhooks.updateDelivery(d.id, { status: 'failed', leaseUntil: null, lastError: `endpoint disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}` }, now);
      return;
    }
    const secrets = await signingSecretsFor(ctx, d.accountId, event.clientId);
    if (secrets.length === 0) {
      await store.webhooks.updateDelivery(
        d.id,
        {
          status: 'waiting_secret',
          leaseUntil: null,
          nextAttemptAt: new Date(now.getTime() + WAITING_RECHECK_MS),
          lastError: 'no webhook secret: generate one (account or client) to release this delivery',
        },
        now,
      );
      return;
    }
    const body = webhookPayload(endpoint.format, event);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Clientele-Webhooks/1',
      ...signatureHeaders(secrets, event.id, Math.floor(now.getTime() / 1000), body),
    };
    const attempts = d.attempts + 1;
    let status: number | null = null;
    let responseBody: string | null = null;
    let latencyMs: number | null = null;
    let error: string | null = null;
    try {
      const res = await ctx.outbound.send({ url: endpoint.url, headers, body, timeoutMs });
      status = res.status;
      responseBody = forLog(res.body, MAX_BODY_LOG);
      latencyMs = res.durationMs;
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = forLog((err as Error).message, 500);
    }
    const done = ctx.now();
    const result = { attempts, lastAttemptAt: done, responseStatus: status, responseBody, latencyMs, leaseUntil: null };
    if (!error) {
      await store.webhooks.updateDelivery(d.id, { ...result, status: 'succeeded', lastError: null }, done);
      if (endpoint.failingSince) await store.webhooks.updateEndpoint(d.accountId, endpoint.id, { failingSince: null }, done);
      return;
    }
    const next = new Date(done.getTime() + backoff(attempts));
    const expired = next.getTime() > d.createdAt.getTime() + horizonMs;
    await store.webhooks.updateDelivery(d.id, { ...result, status: expired ? 'failed' : 'pending', nextAttemptAt: next, lastError: error }, done);
    const failingSince = endpoint.failingSince ?? done;
    if (!endpoint.failingSince) await store.webhooks.updateEndpoint(d.accountId, endpoint.id, { failingSince }, done);
    // Disabled once failing for longer than the horizon. A delivery giving up has itself failed for
    // (almost) the whole horizon, but its last attempt falls inside it: without the `expired` case
    // one failing event would never disable its endpoint. The last back-off step is under half the
    // horizon, so the endpoint then has failed (no success anywhere) for more than half of it.
    else if (done.getTime() - failingSince.getTime() > horizonMs || (expired && done.getTime() - failingSince.getTime() >= horizonMs / 2)) {
      await store.transaction(async (tx) => {
        const reason = `every delivery failed since ${failingSince.toISOString()}`;
        await tx.webhooks.updateEndpoint(d.accountId, endpoint.id, { enabled: false, disabledReason: reason }, done);
        await recordEvent(
          tx,
          {
            accountId: d.accountId,
            clientId: null,
            type: 'webhook_endpoint.disabled',
            actor: { type: 'system', id: 'webhook-dispatcher' },
            data: { endpointId: endpoint.id, url: endpoint.url, reason },
          },
          done,
        );
      });
    }
  }

  async function round(): Promise<number> {
    const now = ctx.now();
    const claimed = await ctx.store.webhooks.claimDue(now, concurrency, new Date(now.getTime() + timeoutMs * 2 + 5_000));
    await Promise.all(
      claimed.map((d) =>
        settle(d).catch(async (err) => {
          options.onError?.(err);
          // Release the lease so a later round retries it — counted as an attempt with the
          // usual back-off, so a persistent fault can neither resend in a loop nor go on forever.
          const attempts = d.attempts + 1;
          const at = ctx.now();
          const next = new Date(at.getTime() + backoff(attempts));
          const expired = next.getTime() > d.createdAt.getTime() + horizonMs;
          await ctx.store.webhooks
            .updateDelivery(d.id, { status: expired ? 'failed' : 'pending', attempts, leaseUntil: null, nextAttemptAt: next, lastError: 'internal error while delivering; will retry' }, at)
            .catch(() => undefined);
        }),
      ),
    );
    return claimed.length;
  }

  const dispatcher: Dispatcher = {
    tick() {
      running ??= round().finally(() => (running = undefined));
      return running;
    },
    start() {
      const loop = async () => {
        if (stopped) return;
        try {
          // Keep going while there is work; then wait for the next poll.
          while (!stopped && (await dispatcher.tick()) >= concurrency);
        } catch (err) {
          options.onError?.(err);
        }
        if (!stopped) timer = setTimeout(loop, options.pollIntervalMs ?? 200);
      };
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
  return dispatcher;
}
