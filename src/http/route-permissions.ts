/**
 * The permission each authenticated route needs, one line per route of every surface. The
 * core enforces it (each core entry point checks its permission, permissions.ts); this
 * table says it per route, for the documentation (docs/permissions.md) and for the test
 * that proves, route by route, that the core refuses exactly what the table says
 * (test/http/permissions-matrix.test.ts). app.ts refuses to register an authenticated
 * route that is missing here.
 */
import type { Permission } from '../core/permissions.js';

/** A permission, or `self`: the route acts on the caller's own user, and any user may call it. */
export type RoutePermission = Permission | 'self';

const INTELIQUENT = (op: string, permission: Permission): Array<[string, RoutePermission]> => [
  [`POST /Services/2.0.0/${op}`, permission],
  [`POST /ClientMgmt/1.0.0/${op}`, permission],
];

export const ROUTE_PERMISSIONS: ReadonlyMap<string, RoutePermission> = new Map<string, RoutePermission>([
  // native
  ['GET /v1/clients', 'clients:read'],
  ['POST /v1/clients', 'clients:write'],
  ['POST /v1/clients/batch', 'clients:write'],
  ['GET /v1/clients/:id', 'clients:read'],
  ['PATCH /v1/clients/:id', 'clients:write'],
  ['DELETE /v1/clients/:id', 'clients:write'],
  ['POST /v1/clients/:id/activate', 'clients:write'],
  ['POST /v1/clients/:id/deactivate', 'clients:write'],
  ['GET /v1/keys', 'keys:read'],
  ['POST /v1/keys', 'keys:write'],
  ['POST /v1/keys/verify', 'keys:verify'],
  ['GET /v1/keys/:keyId', 'keys:read'],
  ['PATCH /v1/keys/:keyId', 'keys:write'],
  ['DELETE /v1/keys/:keyId', 'keys:write'],
  ['POST /v1/keys/:keyId/reset', 'keys:write'],
  ['GET /v1/events', 'events:read'],
  ['GET /v1/clients/:id/integrations/:kind', 'clients:read'],
  ['PUT /v1/clients/:id/integrations/:kind', 'integrations:write'],
  ['DELETE /v1/clients/:id/integrations/:kind', 'integrations:write'],
  ['POST /v1/clients/:id/integrations/:kind/test', 'integrations:write'],
  ['POST /v1/clients/:id/rotate-encryption-key', 'integrations:write'],
  ['POST /v1/clients/:id/webhook-secret/generate', 'webhooks:write'],
  ['GET /v1/clients/:id/webhook-secret/status', 'webhooks:read'],
  ['DELETE /v1/clients/:id/webhook-secret', 'webhooks:write'],
  ['POST /v1/clients/:id/usage', 'usage:write'],
  ['GET /v1/clients/:id/usage', 'usage:read'],
  ['POST /v1/webhook-endpoints', 'webhooks:write'],
  ['GET /v1/webhook-endpoints', 'webhooks:read'],
  ['GET /v1/webhook-endpoints/:id', 'webhooks:read'],
  ['PATCH /v1/webhook-endpoints/:id', 'webhooks:write'],
  ['DELETE /v1/webhook-endpoints/:id', 'webhooks:write'],
  ['GET /v1/webhook-endpoints/:id/deliveries', 'webhooks:read'],
  ['POST /v1/webhook-endpoints/:id/test', 'webhooks:write'],
  ['POST /v1/deliveries/:id/redeliver', 'webhooks:write'],
  ['POST /v1/webhook-secret/generate', 'webhooks:write'],
  ['GET /v1/webhook-secret/status', 'webhooks:read'],
  ['DELETE /v1/webhook-secret', 'webhooks:write'],
  ['PATCH /v1/account', 'account:write'],
  ['GET /v1/users', 'users:read'],
  ['POST /v1/users', 'users:write'],
  ['GET /v1/users/:id', 'users:read'],
  ['PATCH /v1/users/:id', 'users:write'],
  ['DELETE /v1/users/:id', 'users:write'],
  ['GET /v1/users/:id/sign-in-lock', 'users:read'],
  ['DELETE /v1/users/:id/sign-in-lock', 'users:write'],
  ['POST /v1/ratelimit', 'ratelimit:check'],
  ['GET /v1/ratelimit/namespaces/:namespace/overrides', 'ratelimit:read'],
  ['PUT /v1/ratelimit/namespaces/:namespace/overrides/:identifier', 'ratelimit:write'],
  ['DELETE /v1/ratelimit/namespaces/:namespace/overrides/:identifier', 'ratelimit:write'],
  // A user's own account: any user may (a key or a client is refused: it is no user).
  ['GET /v1/users/me', 'self'],
  ['POST /v1/users/me/password', 'self'],
  ['POST /v1/users/me/2fa', 'self'],
  ['GET /v1/sessions', 'self'],
  ['GET /v1/sessions/current', 'self'],
  ['DELETE /v1/sessions/:id', 'self'],
  ['POST /v1/users/me/2fa/confirm', 'self'],
  ['POST /v1/users/me/2fa/disable', 'self'],
  // FactPulse
  ['GET /api/v1/clients', 'clients:read'],
  ['POST /api/v1/clients', 'clients:write'],
  ['GET /api/v1/clients/:uid', 'clients:read'],
  ['PATCH /api/v1/clients/:uid', 'clients:write'],
  ['POST /api/v1/clients/:uid/activer', 'clients:write'],
  ['POST /api/v1/clients/:uid/desactiver', 'clients:write'],
  ['GET /api/v1/clients/:uid/pdp-config', 'clients:read'],
  ['PUT /api/v1/clients/:uid/pdp-config', 'integrations:write'],
  ['DELETE /api/v1/clients/:uid/pdp-config', 'integrations:write'],
  ['POST /api/v1/clients/:uid/rotate-encryption-key', 'integrations:write'],
  ['POST /api/v1/clients/:uid/webhook-secret/generate', 'webhooks:write'],
  ['GET /api/v1/clients/:uid/webhook-secret/status', 'webhooks:read'],
  ['DELETE /api/v1/clients/:uid/webhook-secret', 'webhooks:write'],
  // Inteliquent
  ...INTELIQUENT('registerClient', 'keys:write'),
  ...INTELIQUENT('resetClient', 'keys:write'),
  ...INTELIQUENT('deleteClient', 'keys:write'),
  ...INTELIQUENT('updateClient', 'keys:write'),
  ...INTELIQUENT('getClientList', 'keys:read'),
  // CCM19
  ['POST /hosting/api/client', 'clients:write'],
  ['GET /hosting/api/client', 'clients:read'],
  ['GET /hosting/api/client/:clientId', 'clients:read'],
  ['PUT /hosting/api/client/:clientId', 'clients:write'],
  ['DELETE /hosting/api/client/:clientId', 'clients:write'],
  ['GET /hosting/api/client/by-username/:username', 'clients:read'],
  ['GET /hosting/api/client/by-apiKey/:apiKey', 'clients:read'],
  ['GET /hosting/api/clientgetid/:searchTerm', 'clients:read'],
]);

/** The permission a route needs; HEAD is its GET. */
export function permissionOfRoute(method: string, url: string): RoutePermission | undefined {
  return ROUTE_PERMISSIONS.get(`${method === 'HEAD' ? 'GET' : method} ${url}`);
}
