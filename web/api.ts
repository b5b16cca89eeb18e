/**
 * The console is a client of the native API through @clientele/sdk, signed in with a browser
 * session: the HttpOnly cookie travels by itself, the CSRF token is kept in memory only (never
 * in storage) and sent on every call. What the signed-in user may do comes from the server's
 * own tables (the permission each route needs, and what the user's role holds); the server
 * refuses anything else whatever the console shows.
 */
import { computed, signal } from '@preact/signals';
import { Clientele, ClienteleError, type SignedIn } from '../sdk/src/index.js';
import { grants, userPermissions, type Role } from '../src/core/permissions.js';
import { ROUTE_PERMISSIONS } from '../src/http/route-permissions.js';

/** undefined while the console asks whether it is signed in; null when it is not. */
export const session = signal<SignedIn | null | undefined>(undefined);
export const user = computed(() => session.value?.user ?? null);

export const api = new Clientele({ baseUrl: location.origin, session: { csrfToken: () => session.value?.csrfToken }, retries: 2 });

export async function loadSession(): Promise<void> {
  try {
    session.value = await api.sessions.current();
  } catch (err) {
    if (err instanceof ClienteleError && (err.status === 401 || err.status === 404)) session.value = null;
    else throw err;
  }
}

/** Whether the signed-in user may call `METHOD /route/:pattern` (as src/http/route-permissions.ts names it). */
export function can(route: string): boolean {
  const u = user.value;
  const needed = ROUTE_PERMISSIONS.get(route);
  if (!u || needed === undefined) return false;
  if (needed === 'self') return true;
  return grants(userPermissions({ role: u.role as Role, permissions: u.permissions }), needed);
}

/** A sentence for an error, naming the fields a validation error names. */
export function describe(err: unknown): string {
  if (err instanceof ClienteleError) {
    if (err.status === 0) return 'The server could not be reached. Check your connection and try again.';
    if (err.status === 401) return 'Your session has ended: sign in again.';
    const detail = err.problem?.detail ?? err.message;
    if (err.status === 403) return `Not allowed: ${detail}`;
    if (err.status === 429) return `${detail} Wait a moment and try again.`;
    const fields = err.fieldErrors.map((e) => `${e.field.replace(/^body\./, '')}: ${e.message}`);
    return fields.length > 0 ? `${detail} (${fields.join('; ')})` : detail;
  }
  return err instanceof Error ? err.message : String(err);
}

/** A call whose 401 means the session has ended: back to the sign-in page. */
export function signedOut(err: unknown): boolean {
  if (err instanceof ClienteleError && err.status === 401) {
    session.value = null;
    return true;
  }
  return false;
}
