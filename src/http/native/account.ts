/** `/v1/account`: the calling account's settings. */
import { Type } from 'typebox';
import { updateAccountSettings } from '../../core/accounts.js';
import type { AuthContext } from '../../core/auth.js';
import type { App } from '../types.js';
import { DateTime, ErrorResponses, RateLimitSpecs, RateLimitSpecsInput, Uuid } from './schemas.js';

const AccountWire = Type.Object({
  id: Uuid,
  name: Type.String(),
  requireTwoFactor: Type.Boolean({ description: 'Every user must have two-factor authentication; one without it may only set it up' }),
  /** Defaults for every key that has no limit of the same name, itself or through its client (each key counted on its own). */
  ratelimits: RateLimitSpecs,
  createdAt: DateTime,
  updatedAt: DateTime,
});

export function registerAccountRoutes(app: App, ctx: AuthContext): void {
  app.patch(
    '/v1/account',
    {
      schema: {
        tags: ['account'],
        summary: "Change the account's settings",
        body: Type.Object({ requireTwoFactor: Type.Optional(Type.Boolean()), ratelimits: Type.Optional(RateLimitSpecsInput) }, { additionalProperties: false }),
        response: { 200: AccountWire, ...ErrorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const a = await updateAccountSettings(ctx, request.principal, {
        ...(b.requireTwoFactor !== undefined ? { requireTwoFactor: b.requireTwoFactor } : {}),
        ...(b.ratelimits !== undefined ? { ratelimits: b.ratelimits } : {}),
      });
      return { id: a.id, name: a.name, requireTwoFactor: a.requireTwoFactor, ratelimits: a.ratelimits, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
    },
  );
}
