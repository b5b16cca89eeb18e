/**
 * What every core function needs, built once by the composition root (src/server.ts)
 * and passed explicitly — no module-level singletons.
 */
import type { Keyring } from '../crypto/envelope.js';
import type { AddressPolicy } from '../outbound/address-policy.js';
import type { OutboundClient } from '../outbound/http-client.js';
import type { VerificationCache } from './cache.js';
import type { Store } from './ports.js';
import type { RateLimiter } from './rate-limits.js';
import type { ThrottlePolicy } from './throttle.js';

/** A metered call of a client (a successful key verification), with an optional dimension. */
export interface MeteredCall {
  accountId: string;
  clientId: string;
  dimension?: string;
}

/** Receives successful key uses; the batching implementation flushes them periodically. */
export interface KeyUsageSink {
  record(keyId: string, at: Date, call?: MeteredCall): void;
  /** Calls recorded for the client but not yet flushed. */
  pendingCalls(clientId: string): number;
}

export interface CoreContext {
  store: Store;
  /** Master keyring: wraps data keys, server secrets, signing keys. */
  keyring: Keyring;
  /** Server pepper for keyed hashes of key secrets. */
  pepper: Buffer;
  now: () => Date;
  keyUsage: KeyUsageSink;
  /** Outgoing HTTP (integration tests, webhooks), behind the address policy. */
  outbound: OutboundClient;
  /** Which outgoing addresses are allowed (checked again at connect time by `outbound`). */
  addressPolicy: AddressPolicy;
  /** Hot-path cache in front of the store (`noCache` when disabled). */
  cache: VerificationCache;
  /** Most webhook endpoints an account may have (CLIENTELE_WEBHOOK_MAX_ENDPOINTS). */
  webhookMaxEndpoints: number;
  /** Counts rate limits: verify's, POST /v1/ratelimit's and the doors' (throttle.ts). */
  rateLimiter: RateLimiter;
  /** Sign-in and source-address limits (throttle.ts; its defaults when absent). */
  throttle?: ThrottlePolicy;
  /** Browser session lifetimes (sessions.ts; its defaults when absent). */
  sessionSettings?: { idleSeconds: number; maxSeconds: number };
}
