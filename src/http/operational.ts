/** Health, readiness, the JWKS and the OpenAPI document. All public. */
import { Type } from 'typebox';
import type { App, AppOptions } from './app.js';

const hidden = { hide: true } as const;

export function registerOperationalRoutes(app: App, options: AppOptions): void {
  app.get('/healthz', { config: { auth: false }, schema: { ...hidden } }, async () => ({ status: 'ok' }));

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
