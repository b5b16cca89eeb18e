/** Domain → native wire. Explicit allow-lists: no row is ever spread into a response. */
import type { IssuedKey } from '../../core/api-keys.js';
import type { VerifyOutcome } from '../../core/verification.js';
import type { ApiKey, Client, DomainEvent } from '../../core/types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function clientToWire(c: Client) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    siret: c.siret,
    username: c.username,
    emailAddress: c.emailAddress,
    firstName: c.firstName,
    lastName: c.lastName,
    company: c.company,
    hasPassword: c.passwordHash !== null,
    isActive: c.isActive,
    features: c.features,
    limits: c.limits,
    metadata: c.metadata,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function keyToWire(k: ApiKey) {
  return {
    keyId: k.keyId,
    name: k.name,
    clientId: k.clientId,
    isPrimary: k.isPrimary,
    enabled: k.enabled,
    scopes: k.scopes,
    hint: k.secretHint,
    expiresAt: iso(k.expiresAt),
    lastUsedAt: iso(k.lastUsedAt),
    createdAt: k.createdAt.toISOString(),
    updatedAt: k.updatedAt.toISOString(),
  };
}

/** A verification's answer: the key's details only when the key is the caller's to know about. */
export function verifyOutcomeToWire(outcome: VerifyOutcome) {
  const k = outcome.key;
  if (!k || outcome.code === 'NOT_FOUND') return { valid: false, code: outcome.code };
  return {
    valid: outcome.valid,
    code: outcome.code,
    keyId: k.keyId,
    accountId: k.accountId,
    clientId: k.clientId,
    expiresAt: iso(k.expiresAt),
    scopes: k.scopes,
  };
}

export function issuedKeyToWire(i: IssuedKey) {
  return { key: keyToWire(i.key), secret: i.secret, token: i.token };
}

export function eventToWire(e: DomainEvent) {
  return { id: e.id, type: e.type, clientId: e.clientId, actor: e.actor, data: e.data, createdAt: e.createdAt.toISOString() };
}
