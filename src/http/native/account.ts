/** `/v1/account`: the calling account's settings. */
import { Type } from 'typebox';
import { updateAccountSettings } from '../../core/accounts.js';
import type { AuthContext } from '../../core/auth.js';
import type { App } from '../types.js';
import { DateTime, ErrorResponses, Uuid } from './schemas.js';

const AccountWire = Type.Object({
  id: Uuid,
  name: Type.String(),
  requireTwoFactor: Type.Boolean({ description: 'Every user must have two-factor authentication; one without it may only set it up' }),
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
        body: Type.Object({ requireTwoFactor: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: AccountWire, ...ErrorResponses },
      },
    },
    async (request) => {
      const a = await updateAccountSettings(ctx, request.principal, { ...(request.body.requireTwoFactor !== undefined ? { requireTwoFactor: request.body.requireTwoFactor } : {}) });
      return { id: a.id, name: a.name, requireTwoFactor: a.requireTwoFactor, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
    },
  );
}
