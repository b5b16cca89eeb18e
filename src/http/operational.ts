/** Health, readiness, the JWKS and the OpenAPI document. All public. */
import { Type } from 'typebox';
import type { AuthContext } from '../core/auth.js';
import type { App } from './types.js';

const hidden = { hide: true } as const;

/** Seconds a caller is told to wait after a 503 (an overload is expected to last about that long). */
const RETRY_AFTER_SECONDS = 1;

/**
 * Health, readiness and the documents; and, for every route registered after it on the root
 * instance (all of them), `Retry-After` on any 503 (RFC 9110 §10.2.3), whichever surface
 * wrote the body (SERVICE_UNAVAILABLE: no database connection in time).
 */
export function registerOperationalRoutes(app: App, options: { ctx: AuthContext; ready: () => Promise<boolean> }): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    return payload;
  });

  app.get('/healthz', { config: { auth: false }, schema: { ...hidden } }, async () => ({ status: 'ok' }));

  // `ready` must answer within a second whatever the load (server.ts: a probe off the request pool).
  app.get('/readyz', { config: { auth: false }, schema: { ...hidden } }, async (_request, reply) => {
    const ok = await options.ready().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable' });
  });

  app.get(
    '/.well-known/jwks.json',
    {
      config: { auth: false },
      schema: {
        tags: ['auth'],
        summary: 'Public keys that verify Clientele access tokens',
        security: [],
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) },
      },
    },
    async (_request, reply) => {
      reply.header('Cache-Control', 'public, max-age=300');
      return { keys: options.ctx.tokens.publicKeys() };
    },
  );

  app.get('/openapi.json', { config: { auth: false }, schema: { ...hidden } }, async () => app.swagger());
}
