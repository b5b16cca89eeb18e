/**
 * FactPulse's token endpoints: `POST /api/token/` (a username and password: an account
 * user's, a client's own, or a key id and its secret) and `POST /api/token/refresh/`.
 */
import { Type } from 'typebox';
import { loginWithPassword, refreshAccess, type AuthContext } from '../../../core/auth.js';
import type { App } from '../../types.js';
import * as S from './schemas.js';

export function registerFactPulseTokenRoutes(app: App, ctx: AuthContext): void {
  app.post(
    '/api/token/',
    {
      config: { auth: false, tokenEndpoint: true },
      schema: {
        tags: ['auth'],
        summary: 'Obtain an access and refresh token with a username and password',
        description:
          'A user with two-factor authentication also sends `otp` (a TOTP code or a recovery code). ' +
          "username/password: an account user's e-mail and password; with client_uid the token is scoped to that client. " +
          "Or, with client_uid, that client's own username and password. Or a key id and its secret.",
        security: [],
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 320 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
          client_uid: Type.Optional(Type.String({ format: 'uuid' })),
          // Not FactPulse's: the second factor of a user with two-factor authentication.
          otp: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
        }),
        response: { 200: Type.Object({ access: Type.String(), refresh: Type.String() }), 401: S.ErrorBody },
      },
    },
    async (request, reply) => {
      const { username, password, client_uid, otp } = request.body;
      const tokens = await loginWithPassword(ctx, { username, password, address: request.ip, ...(client_uid ? { clientUid: client_uid } : {}), ...(otp ? { otp } : {}) });
      reply.header('Cache-Control', 'no-store');
      if (!tokens) return reply.code(401).send({ errorCode: 'AUTHENTICATION_REQUIRED', errorMessage: 'No active account found with the given credentials' });
      return tokens;
    },
  );

  app.post(
    '/api/token/refresh/',
    {
      config: { auth: false, tokenEndpoint: true },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new access token',
        security: [],
        body: Type.Object({ refresh: Type.String({ minLength: 1, maxLength: 4096 }) }),
        response: { 200: Type.Object({ access: Type.String() }), 401: S.ErrorBody },
      },
    },
    async (request, reply) => {
      const out = await refreshAccess(ctx, request.body.refresh);
      reply.header('Cache-Control', 'no-store');
      if (!out) return reply.code(401).send({ errorCode: 'AUTHENTICATION_REQUIRED', errorMessage: 'Token is invalid or expired' });
      return out;
    },
  );
}
