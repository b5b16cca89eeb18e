/**
 * Builds the service graph from an open database and a master keyring. Used by the
 * composition root (src/server.ts), the command line and the tests, so all three run
 * exactly the same wiring.
 */
import type { AuthContext, TokenSettings } from './core/auth.js';
import type { Revocation } from './core/context.js';
import { createBatchingKeyUsage, type BatchingKeyUsage } from './core/key-usage.js';
import { createTokenService } from './core/signing-keys.js';
import { open, seal, type Keyring } from './crypto/envelope.js';
import { randomBytes } from './crypto/random.js';
import { createAddressPolicy } from './outbound/address-policy.js';
import { createOutboundClient, type OutboundClient } from './outbound/http-client.js';
import type { Database } from './storage/database.js';
import { createSqlStore } from './storage/sql-store.js';

export interface Services {
  ctx: AuthContext;
  keyUsage: BatchingKeyUsage;
  /** Flushes pending work (key usage); call before closing the database. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  database: Database;
  keyring: Keyring;
  issuer: string;
  tokenSettings?: TokenSettings;
  now?: () => Date;
  keyUsageFlushMs?: number;
  onRevocation?: (r: Revocation) => void;
  /** Hosts/CIDRs outgoing requests may reach despite being private (CLIENTELE_WEBHOOK_ALLOW_HOSTS). */
  outboundAllowHosts?: string;
  /** Replaces the outgoing HTTP client (tests). */
  outbound?: OutboundClient;
  onError?: (err: unknown) => void;
}

const PEPPER_NAME = 'key-hash-pepper';

/** The server-wide pepper: generated once, stored sealed, shared by every instance. */
async function loadPepper(store: ReturnType<typeof createSqlStore>, keyring: Keyring, now: Date): Promise<Buffer> {
  const aad = `server-secret:${PEPPER_NAME}`;
  const stored = await store.serverSecrets.getOrInsert(PEPPER_NAME, seal(keyring, randomBytes(32), aad), now);
  return open(keyring, stored, aad);
}

export async function createServices(options: ServiceOptions): Promise<Services> {
  const now = options.now ?? (() => new Date());
  const store = createSqlStore(options.database.db);
  const pepper = await loadPepper(store, options.keyring, now());
  const tokens = await createTokenService({ store, keyring: options.keyring, issuer: options.issuer, now });
  const keyUsage = createBatchingKeyUsage(store, {
    ...(options.keyUsageFlushMs !== undefined ? { flushIntervalMs: options.keyUsageFlushMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const addressPolicy = createAddressPolicy(options.outboundAllowHosts ?? '');
  const ctx: AuthContext = {
    store,
    keyring: options.keyring,
    pepper,
    now,
    keyUsage,
    tokens,
    outbound: options.outbound ?? createOutboundClient(addressPolicy),
    addressPolicy,
    tokenSettings: options.tokenSettings ?? { accessTtlSeconds: 1800, refreshTtlSeconds: 604800 },
    ...(options.onRevocation ? { onRevocation: options.onRevocation } : {}),
  };
  return { ctx, keyUsage, stop: () => keyUsage.stop() };
}
