/**
 * Authorisation rules shared by every surface (docs/design.md §3): an account principal acts on
 * its whole account; a client principal only on its own client. Another account's client
 * is reported as not found, so its existence is never revealed.
 */
import { AppError } from './errors.js';
import type { Store } from './ports.js';
import type { Client, Principal } from './types.js';

/** Refuses client principals (listing or creating clients, account-wide actions). */
export function requireAccountPrincipal(principal: Principal): asserts principal is Extract<Principal, { kind: 'account' }> {
  if (principal.kind !== 'account') {
    throw new AppError('FORBIDDEN', 'This operation needs an account-level credential');
  }
}

/** Loads a client the principal may act on: 404 outside the account, 403 for another client. */
export async function loadClientFor(store: Store, principal: Principal, clientId: string, forUpdate = false): Promise<Client> {
  const client = forUpdate ? await store.clients.getForUpdate(principal.accountId, clientId) : await store.clients.get(principal.accountId, clientId);
  return authoriseClient(principal, client);
}

/** Whether the principal may act on this client of its account (a client principal only on itself). */
export function mayActOn(principal: Principal, client: Client): boolean {
  return principal.kind === 'account' || principal.clientId === client.id;
}

/** The 404/403 rule for a client looked up in the principal's account (null = not there). */
export function authoriseClient(principal: Principal, client: Client | null): Client {
  if (!client) throw new AppError('CLIENT_NOT_FOUND');
  if (!mayActOn(principal, client)) {
    throw new AppError('FORBIDDEN', 'A client credential may act only on its own client');
  }
  return client;
}
