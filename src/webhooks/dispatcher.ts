/**
 * The webhook dispatcher: claims due deliveries (FOR UPDATE SKIP LOCKED, so any number of
 * instances share the work without sending twice), signs and sends them, and records the
 * outcome. It is woken when deliveries are committed (in this process, or NOTIFYed by
 * another instance) and polls as the fallback; each claim fills the free slots in one round
 * trip (the deliveries with their endpoints, events and sealed secrets), each endpoint holds
 * at most `perEndpoint` slots (a slow receiver cannot take them all), a freed slot is filled
 * at once (no round waits for its slowest), and outcomes are written in batches. Failures
 * retry with exponential back-off and full jitter for a horizon of
 * 8,640 × the base delay (three days at the default 30 s); an endpoint failing for longer
 * is disabled and an event says so. A claimed delivery whose instance dies is claimed
 * again once its lease expires (at-least-once; receivers de-duplicate on `webhook-id`).
 */
import type { CoreContext } from '../core/context.js';
import { recordEvent } from '../core/events.js';
import type { ClaimedDelivery, DeliveryResult } from '../core/ports.js';
import type { WebhookDelivery } from '../core/types.js';
import { signingSecretsFrom } from '../core/webhook-secrets.js';
import { signatureHeaders } from '../crypto/webhook-signature.js';
import { webhookPayload } from './payload.js';
import type { WakeSignal } from './wake.js';

export interface DispatcherOptions {
  /** First retry delay; later ones double (CLIENTELE_WEBHOOK_RETRY_BASE_MS). */
  retryBaseMs?: number;
  /** Per-attempt timeout (CLIENTELE_WEBHOOK_TIMEOUT_MS). */
  timeoutMs?: number;
  /**
   * How often to look for due deliveries without being woken: retries falling due, and
   * anything a missed wake-up left behind (CLIENTELE_WEBHOOK_POLL_MS).
   */
  pollIntervalMs?: number;
  /** Deliveries in flight per instance, all endpoints together (CLIENTELE_WEBHOOK_CONCURRENCY). */
  concurrency?: number;
  /** Deliveries in flight per endpoint, so a slow one holds only its own share (CLIENTELE_WEBHOOK_ENDPOINT_CONCURRENCY). */
  perEndpoint?: number;
  /** Wake-ups when deliveries become due (Services.deliveriesDue); without it the dispatcher only polls. */
  wake?: Pick<WakeSignal, 'subscribe'>;
  onError?: (err: unknown) => void;
  /** Random source for jitter (tests). */
  random?: () => number;
}

export interface Dispatcher {
  /** Sends continuously: woken when deliveries are due, and polling as the fallback. */
  start(): void;
  /** Claims what is due now (within the concurrency limits) and resolves when those deliveries are sent and recorded. */
  tick(): Promise<number>;
  /** Stops looking and waits for deliveries in flight and their results. */
  stop(): Promise<void>;
}

const DEFAULT_CONCURRENCY = 64;
const DEFAULT_PER_ENDPOINT = 8;
export const HORIZON_FACTOR = 8640;
/** The plain signing secrets of an (account, client), opened from what a claim brought. */
type SecretsOf = (accountId: string, clientId: string | null) => string[];
const WAITING_RECHECK_MS = 30_000;
/** How many times what may be sent at once a dispatcher holds claimed (see createDispatcher). */
const HOLD_FACTOR = 16;
/** Longest an outcome waits for a claim to take it along before it is written on its own. */
const RESULT_DELAY_MS = 20;
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

/** A claimed delivery's row as a result that changes nothing (the lease it was claimed with is kept to check). */
function asClaimed(d: WebhookDelivery): DeliveryResult {
  return {
    id: d.id,
    claimedLease: d.leaseUntil!,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastAttemptAt: d.lastAttemptAt,
    responseStatus: d.responseStatus,
    responseBody: d.responseBody,
    latencyMs: d.latencyMs,
    lastError: d.lastError,
  };
}

export function createDispatcher(ctx: CoreContext, options: DispatcherOptions = {}): Dispatcher {
  const base = options.retryBaseMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const horizonMs = base * HORIZON_FACTOR;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const perEndpoint = Math.min(options.perEndpoint ?? DEFAULT_PER_ENDPOINT, concurrency);
  const random = options.random ?? Math.random;
  const reportError = (err: unknown) => options.onError?.(err);

  /**
   * Claimed deliveries are held here until sent. A claim takes up to HOLD_FACTOR times what can
   * be sent at once (per endpoint and in all), so the next deliveries are ready when a slot frees
   * and one claim serves many of them. Held deliveries start first claimed, first sent, each
   * within (HOLD_FACTOR - 1) attempt timeouts of its claim, which the lease allows for.
   */
  const holdPerEndpoint = perEndpoint * HOLD_FACTOR;
  const holdInAll = concurrency * HOLD_FACTOR;
  const leaseMs = timeoutMs * (HOLD_FACTOR + 1) + 5_000;
  /**
   * Look again once three quarters of an endpoint's holding have been sent since the last claim
   * (sooner when idle or woken): fewer, bigger claims, while what is left (four rounds of its
   * slots) keeps them busy meanwhile.
   */
  const claimAfter = Math.max(1, (holdPerEndpoint * 3) / 4);

  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  /** Claimed, not yet being sent, oldest first. */
  const waiting: Array<{ c: ClaimedDelivery; secretsOf: SecretsOf }> = [];
  /** Claimed deliveries (waiting or being sent), per endpoint. */
  const held = new Map<string, number>();
  /** Being sent, per endpoint and in all. */
  const sending = new Map<string, number>();
  let sendingInAll = 0;
  let heldInAll = 0;
  const settling = new Set<Promise<void>>();
  /** The claim under way (one at a time); `again`: look once more when it ends. */
  let claiming: Promise<number> | undefined;
  let again = false;
  /** The last claim found work (or left some to an endpoint at its limit): freed slots look again. */
  let more = false;
  let freedSinceClaim = 0;

  function backoff(attempts: number): number {
    const exp = Math.min(base * 2 ** (attempts - 1), base * 2 ** 12);
    return Math.round(exp / 2 + random() * (exp / 2));
  }

  // Outcomes are written in batches: the next claim takes them along (one round trip for both),
  // or, when no claim comes within RESULT_DELAY_MS, a write of their own; while one batch is
  // being written, the next accumulates.
  let results: DeliveryResult[] = [];
  let flushing: Promise<void> | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  const record = (result: DeliveryResult) => {
    results.push(result);
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined;
      void flush();
    }, RESULT_DELAY_MS);
  };
  const takeResults = (): DeliveryResult[] => {
    const taken = results;
    results = [];
    return taken;
  };
  /** Writes the outcomes not yet written (joining a write under way); resolves when none is left. */
  function flush(): Promise<void> {
    if (flushing) return flushing;
    const writing = (async () => {
      while (results.length > 0) {
        // A batch that cannot be written leaves its deliveries leased: they are sent again once
        // the lease expires (at-least-once), as if this instance had died.
        await ctx.store.webhooks.recordResults(takeResults(), ctx.now()).catch(reportError);
      }
    })().finally(() => {
      if (flushing === writing) flushing = undefined;
    });
    flushing = writing;
    return writing;
  }

  /** What is written when an attempt is not made or fails: a retry after the back-off, or the end. */
  function retryOrFail(d: WebhookDelivery, attempts: number, at: Date): Pick<DeliveryResult, 'status' | 'attempts' | 'nextAttemptAt'> {
    const next = new Date(at.getTime() + backoff(attempts));
    const expired = next.getTime() > d.createdAt.getTime() + horizonMs;
    return { status: expired ? 'failed' : 'pending', attempts, nextAttemptAt: next };
  }

  /** Sends `c` (or decides not to) and records its outcome through `done`, exactly once. */
  async function settle(c: ClaimedDelivery, unchanged: DeliveryResult, secretsOf: SecretsOf, done: (result: DeliveryResult) => void): Promise<void> {
    const d = c.delivery;
    const now = ctx.now();
    const { endpoint, event } = c;
    if (!endpoint || !event) return done({ ...unchanged, status: 'failed', lastError: endpoint ? 'event no longer exists' : 'endpoint no longer exists' });
    if (!endpoint.enabled) return done({ ...unchanged, status: 'failed', lastError: `endpoint disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}` });
    const secrets = secretsOf(d.accountId, event.clientId);
    if (secrets.length === 0) {
      return done({
        ...unchanged,
        status: 'waiting_secret',
        nextAttemptAt: new Date(now.getTime() + WAITING_RECHECK_MS),
        lastError: 'no webhook secret: generate one (account or client) to release this delivery',
      });
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
    const ended = ctx.now();
    const attempt = { ...unchanged, attempts, lastAttemptAt: ended, responseStatus: status, responseBody, latencyMs };
    if (!error) {
      done({ ...attempt, status: 'succeeded', lastError: null });
      if (endpoint.failingSince) await ctx.store.webhooks.updateEndpoint(d.accountId, endpoint.id, { failingSince: null }, ended);
      return;
    }
    const outcome = retryOrFail(d, attempts, ended);
    done({ ...attempt, ...outcome, lastError: error });
    const failingSince = endpoint.failingSince ?? ended;
    if (!endpoint.failingSince) await ctx.store.webhooks.updateEndpoint(d.accountId, endpoint.id, { failingSince }, ended);
    // Disabled once failing for longer than the horizon. A delivery giving up has itself failed for
    // (almost) the whole horizon, but its last attempt falls inside it: without the `failed` case
    // one failing event would never disable its endpoint. The last back-off step is under half the
    // horizon, so the endpoint then has failed (no success anywhere) for more than half of it.
    else if (ended.getTime() - failingSince.getTime() > horizonMs || (outcome.status === 'failed' && ended.getTime() - failingSince.getTime() >= horizonMs / 2)) {
      await ctx.store.transaction(async (tx) => {
        const reason = `every delivery failed since ${failingSince.toISOString()}`;
        await tx.webhooks.updateEndpoint(d.accountId, endpoint.id, { enabled: false, disabledReason: reason }, ended);
        await recordEvent(
          tx,
          {
            accountId: d.accountId,
            clientId: null,
            type: 'webhook_endpoint.disabled',
            actor: { type: 'system', id: 'webhook-dispatcher' },
            data: { endpointId: endpoint.id, url: endpoint.url, reason },
          },
          ended,
        );
      });
    }
  }

  const bump = (m: Map<string, number>, key: string, by: number) => {
    const n = (m.get(key) ?? 0) + by;
    if (n > 0) m.set(key, n);
    else m.delete(key);
  };

  /** Starts what may start: oldest first, within the per-endpoint and overall limits. */
  function startWaiting(): void {
    for (let i = 0; i < waiting.length && sendingInAll < concurrency; ) {
      const { c, secretsOf } = waiting[i]!;
      if ((sending.get(c.delivery.endpointId) ?? 0) >= perEndpoint) {
        i += 1;
        continue;
      }
      waiting.splice(i, 1);
      send(c, secretsOf);
    }
  }

  /** Sends one claimed delivery; when its attempt is over its slot goes to the next, and the queue is looked at again. */
  function send(c: ClaimedDelivery, secretsOf: SecretsOf): void {
    const d = c.delivery;
    const unchanged = asClaimed(d);
    sendingInAll += 1;
    bump(sending, d.endpointId, 1);
    let recorded = false;
    const done = (result: DeliveryResult) => {
      recorded = true;
      record(result);
    };
    const p = settle(c, unchanged, secretsOf, done)
      .catch((err) => {
        reportError(err);
        // A fault after the outcome was recorded (updating the endpoint) changes nothing of it.
        // Before: counted as an attempt with the usual back-off, so a persistent fault can
        // neither resend in a loop nor go on forever.
        if (!recorded) done({ ...unchanged, ...retryOrFail(d, d.attempts + 1, ctx.now()), lastError: 'internal error while delivering; will retry' });
      })
      .finally(() => {
        sendingInAll -= 1;
        heldInAll -= 1;
        bump(sending, d.endpointId, -1);
        bump(held, d.endpointId, -1);
        settling.delete(p);
        startWaiting();
        freedSinceClaim += 1;
        if (started && more && (freedSinceClaim >= claimAfter || heldInAll === 0)) look();
      });
    settling.add(p);
  }

  /** One claim for the room left; returns how many deliveries it brought. */
  async function claim(): Promise<number> {
    const limit = holdInAll - heldInAll;
    if (stopped || limit <= 0) return 0;
    const now = ctx.now();
    const saturated = [...held.values()].some((n) => n >= holdPerEndpoint);
    freedSinceClaim = 0;
    const written = takeResults();
    let claimed: ClaimedDelivery[];
    try {
      claimed = await ctx.store.webhooks.claimDue(now, { limit, leaseUntil: new Date(now.getTime() + leaseMs), perEndpoint: holdPerEndpoint, held, results: written });
    } catch (err) {
      // Nothing of the statement happened: the outcomes are written on their own.
      for (const r of written) record(r);
      throw err;
    }
    more = claimed.length > 0 || saturated;
    // The claim brings the sealed secrets along; each (account, client) is opened once per claim.
    const opened = new Map<string, string[]>();
    const bySigner = new Map(claimed.map((c) => [`${c.delivery.accountId}/${c.delivery.clientId ?? ''}`, c.signing]));
    const secretsOf: SecretsOf = (accountId, clientId) => {
      const key = `${accountId}/${clientId ?? ''}`;
      let secrets = opened.get(key);
      if (!secrets) {
        secrets = signingSecretsFrom(ctx, accountId, clientId, bySigner.get(key) ?? { clientDataKey: null, clientSecret: null, account: null });
        opened.set(key, secrets);
      }
      return secrets;
    };
    for (const c of claimed) {
      heldInAll += 1;
      bump(held, c.delivery.endpointId, 1);
      waiting.push({ c, secretsOf });
    }
    startWaiting();
    return claimed.length;
  }

  /** Looks for due deliveries, unless a look is under way (then once more after it). */
  function look(): void {
    if (stopped) return;
    if (claiming) {
      again = true;
      return;
    }
    again = false;
    const limit = holdInAll - heldInAll;
    if (limit <= 0) return; // finishing deliveries look again
    claiming = claim();
    claiming
      .catch((err) => {
        reportError(err);
        return 0;
      })
      .then((n) => {
        claiming = undefined;
        // A full claim may have left more behind; a wake-up during the claim may be about rows it missed.
        if (again || n >= limit) look();
      });
  }

  /** Resolves when every delivery started is over and its outcome written. */
  async function settled(): Promise<void> {
    while (settling.size > 0) await Promise.all(settling);
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    while (flushing || results.length > 0) await flush();
  }

  return {
    async tick() {
      while (claiming) await claiming.catch(() => undefined);
      const n = await claim();
      await settled();
      return n;
    },
    start() {
      if (started || stopped) return;
      started = true;
      unsubscribe = options.wake?.subscribe(look);
      const poll = () => {
        look();
        timer = setTimeout(poll, options.pollIntervalMs ?? 200);
      };
      timer = setTimeout(poll, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubscribe?.();
      while (claiming) await claiming.catch(() => undefined);
      // Claimed but not started: handed back as they were, due at once for any instance.
      for (const { c } of waiting.splice(0)) {
        const d = c.delivery;
        heldInAll -= 1;
        bump(held, d.endpointId, -1);
        record({ ...asClaimed(d), status: 'pending' });
      }
      await settled();
    },
  };
}
