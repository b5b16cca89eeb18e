/** Domain → native wire. Explicit allow-lists: no row is ever spread into a response. */
import { keySnapshot, type IssuedKey } from '../../core/api-keys.js';
import { clientSnapshot } from '../../core/clients.js';
import type { VerifyOutcome } from '../../core/verification.js';
import type { ApiKey, Client, DomainEvent } from '../../core/types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A client on the wire: the fields its events carry (the core's allow-list, clientSnapshot),
 * plus whether it has a password and its timestamps. The response schema fixes the order.
 */
export function clientToWire(c: Client) {
  return {
    ...clientSnapshot(c),
    hasPassword: c.passwordHash !== null,
    ratelimits: c.ratelimits,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** A key on the wire: the fields its events carry (the core's allow-list, keySnapshot), plus its hint, use and timestamps. */
export function keyToWire(k: ApiKey) {
  return {
    ...keySnapshot(k),
    ratelimits: k.ratelimits,
    hint: k.secretHint,
    lastUsedAt: iso(k.lastUsedAt),
    createdAt: k.createdAt.toISOString(),
    updatedAt: k.updatedAt.toISOString(),
  };
}

/** A verification's answer: the key's details only when the key is the caller's to know about. */
export function verifyOutcomeToWire(outcome: VerifyOutcome) {
  const k = outcome.key;
  if (!k || outcome.code === 'NOT_FOUND') return { valid: false, code: outcome.code, ratelimits: outcome.ratelimits };
  return {
    valid: outcome.valid,
    code: outcome.code,
    keyId: k.keyId,
    accountId: k.accountId,
    clientId: k.clientId,
    expiresAt: iso(k.expiresAt),
    scopes: k.scopes,
    ratelimits: outcome.ratelimits,
  };
}

export function issuedKeyToWire(i: IssuedKey) {
  return { key: keyToWire(i.key), secret: i.secret, token: i.token };
}

export function eventToWire(e: DomainEvent) {
  return { id: e.id, type: e.type, clientId: e.clientId, actor: e.actor, data: e.data, createdAt: e.createdAt.toISOString() };
}
