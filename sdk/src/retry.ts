/**
 * Retry policy: exponential back-off with full jitter, honouring `Retry-After`.
 * Only requests that are safe to repeat are retried (see Transport): GET, PUT, DELETE, and
 * POSTs that carry an Idempotency-Key.
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 disables). */
  retries?: number;
  /** Base of the exponential delay in ms (default 200). */
  minDelayMs?: number;
  /** Cap of one delay in ms, `Retry-After` included (default 10000). */
  maxDelayMs?: number;
}

export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export function retryPolicy(option: number | false | RetryOptions | undefined): RetryPolicy {
  const o = typeof option === 'number' ? { retries: option } : option === false ? { retries: 0 } : (option ?? {});
  return { retries: Math.max(0, o.retries ?? 3), minDelayMs: Math.max(0, o.minDelayMs ?? 200), maxDelayMs: Math.max(0, o.maxDelayMs ?? 10_000) };
}

/** Delay before retry number `attempt` (0-based): uniform in [0, min(max, min·2^attempt)]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

/** `Retry-After` as milliseconds (delta-seconds or an HTTP date), capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, policy: RetryPolicy, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  return Number.isFinite(seconds) ? Math.min(Math.max(0, seconds), policy.maxDelayMs) : undefined;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
