/**
 * `/v1/ratelimit`: a rate limit on anything the platform meters (its users' requests, e-mails
 * sent, an endpoint's calls), counted by the same limiter as verify's, and per-namespace
 * overrides for chosen identifiers.
 */
import { Type } from 'typebox';
import type { AuthContext } from '../../core/auth.js';
import { checkRateLimit, deleteOverride, listOverrides, MAX_RATELIMIT, RATELIMIT_NAME_PATTERN, setOverride } from '../../core/rate-limits.js';
import type { RateLimitOverride } from '../../core/types.js';
import type { App } from '../types.js';
import { DateTime, ErrorResponses, RateLimitDuration, RateLimitValue } from './schemas.js';

const tags = ['ratelimit'];
const Namespace = Type.String({ pattern: RATELIMIT_NAME_PATTERN, description: 'Groups identifiers and their overrides, e.g. `email.send`' });
const Identifier = Type.String({ minLength: 1, maxLength: 255, description: 'What is limited within the namespace, e.g. a user id or an address' });

const Override = Type.Object({ namespace: Type.String(), identifier: Type.String(), limit: Type.Integer(), duration: Type.Integer(), createdAt: DateTime, updatedAt: DateTime });
const OverrideParams = Type.Object({ namespace: Namespace, identifier: Identifier }, { additionalProperties: false });

const overrideToWire = (o: RateLimitOverride) => ({
  namespace: o.namespace,
  identifier: o.identifier,
  limit: o.limit,
  duration: o.duration,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});

export function registerRateLimitRoutes(app: App, ctx: AuthContext): void {
  app.post(
    '/v1/ratelimit',
    {
      schema: {
        tags,
        summary: "Spend `cost` (default 1) of an identifier's limit: success is false, and nothing is spent, when the window has no room left",
        description: 'The namespace’s override for the identifier, when there is one, replaces the limit and duration the request names.',
        body: Type.Object(
          {
            namespace: Namespace,
            identifier: Identifier,
            limit: RateLimitValue,
            duration: RateLimitDuration,
            cost: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_RATELIMIT, description: 'Default 1; 0 only reads the limit' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            success: Type.Boolean(),
            limit: Type.Integer(),
            remaining: Type.Integer(),
            reset: Type.Integer({ description: 'When the window ends, epoch milliseconds' }),
            overridden: Type.Boolean({ description: "The namespace's override for this identifier applied" }),
          }),
          ...ErrorResponses,
        },
      },
    },
    async (request) => checkRateLimit(ctx, request.principal, request.body),
  );

  app.get(
    '/v1/ratelimit/namespaces/:namespace/overrides',
    {
      schema: {
        tags,
        summary: "A namespace's overrides",
        params: Type.Object({ namespace: Namespace }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(Override) }), ...ErrorResponses },
      },
    },
    async (request) => ({ data: (await listOverrides(ctx, request.principal, request.params.namespace)).map(overrideToWire) }),
  );

  app.put(
    '/v1/ratelimit/namespaces/:namespace/overrides/:identifier',
    {
      schema: {
        tags,
        summary: "Set the identifier's limit in the namespace (replacing the one requests name)",
        params: OverrideParams,
        body: Type.Object({ limit: RateLimitValue, duration: RateLimitDuration }, { additionalProperties: false }),
        response: { 200: Override, ...ErrorResponses },
      },
    },
    async (request) => overrideToWire(await setOverride(ctx, request.principal, { ...request.params, ...request.body })),
  );

  app.delete(
    '/v1/ratelimit/namespaces/:namespace/overrides/:identifier',
    { schema: { tags, summary: "Remove the identifier's override", params: OverrideParams, response: { 204: Type.Null(), ...ErrorResponses } } },
    async (request, reply) => {
      await deleteOverride(ctx, request.principal, request.params.namespace, request.params.identifier);
      return reply.code(204).send(null);
    },
  );
}
