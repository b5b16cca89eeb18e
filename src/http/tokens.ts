/**
 * Token endpoints: `POST /oauth2/token` (RFC 6749 client credentials; RFC 6749 §5.2 error
 * bodies) and the FactPulse-style `POST /api/token/` and `POST /api/token/refresh/`.
 */
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { grantClientCredentials, loginWithPassword, refreshAccess, type AuthContext } from '../core/auth.js';
import { parseBasic } from './authenticate.js';
import type { App } from './app.js';
import type { ErrorWriter } from './errors.js';
import { registerFactPulseErrorWriter } from './compat/factpulse/errors.js';

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  if (status === 401) reply.header('WWW-Authenticate', 'Basic realm="clientele"');
  return reply.code(status).header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send({ error, error_description: description });
}

/**
 * Errors of `/oauth2/token` that its handler does not write itself (a body that does not
 * parse, a wrong media type, an overload…), in RFC 6749 §5.2 form: `invalid_request` for
 * anything the client sent wrong, `server_error` / `temporarily_unavailable` otherwise.
 */
const writeOAuthError: ErrorWriter = (err, _request, reply) => {
  if (err.status === 401) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed');
  if (err.status >= 500) {
    if (err.status === 503 && !reply.hasHeader('Retry-After')) reply.header('Retry-After', '1');
    return oauthError(reply, err.status === 503 ? 503 : 500, err.status === 503 ? 'temporarily_unavailable' : 'server_error', err.message);
  }
  return oauthError(reply, err.status === 408 || err.status === 413 || err.status === 414 || err.status === 415 || err.status === 431 ? err.status : 400, 'invalid_request', err.message);
};

const FactPulseError = Type.Object({ errorCode: Type.String(), errorMessage: Type.String() });

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** RFC 6749 §2.3.1 form-encodes Basic credentials; a malformed escape is a bad credential, not a crash. */
function percentDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function registerTokenRoutes(app: App, ctx: AuthContext, writers: Map<string, ErrorWriter>): void {
  registerFactPulseErrorWriter(writers);
  writers.set('oauth', writeOAuthError);

  app.post(
    '/oauth2/token',
    {
      config: { auth: false, formBody: true, surface: 'oauth' },
      schema: {
        tags: ['auth'],
        summary: 'OAuth 2.0 client-credentials grant (RFC 6749 §4.4)',
        description: 'client_id = key id, client_secret = secret; form body, JSON body, query or HTTP Basic.',
        security: [],
      },
    },
    async (request, reply) => {
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
      const query = request.query as Record<string, unknown>;
      const pick = (name: string) => str(body[name]) ?? str(query[name]);
      let clientId = pick('client_id');
      let clientSecret = pick('client_secret');
      const auth = request.headers.authorization;
      if (auth) {
        const basic = parseBasic(auth);
        if (!basic) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed');
        clientId = percentDecode(basic.user);
        clientSecret = percentDecode(basic.pass);
      }
      const grantType = pick('grant_type');
      if (!grantType) return oauthError(reply, 400, 'invalid_request', 'grant_type is required');
      if (grantType !== 'client_credentials') return oauthError(reply, 400, 'unsupported_grant_type', 'Only client_credentials is supported');
      if (!clientId || !clientSecret) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed');
      const grant = await grantClientCredentials(ctx, clientId, clientSecret);
      if (!grant) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed');
      reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      return {
        access_token: grant.accessToken,
        token_type: 'Bearer',
        expires_in: grant.expiresIn,
        ...(grant.scope ? { scope: grant.scope } : {}),
      };
    },
  );

  app.post(
    '/api/token/',
    {
      config: { auth: false, surface: 'factpulse' },
      schema: {
        tags: ['auth'],
        summary: 'Obtain an access and refresh token with a username and password',
        description:
          "username/password: an account user's e-mail and password; with client_uid the token is scoped to that client. " +
          "Or, with client_uid, that client's own username and password. Or a key id and its secret.",
        security: [],
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 320 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
          client_uid: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: { 200: Type.Object({ access: Type.String(), refresh: Type.String() }), 401: FactPulseError },
      },
    },
    async (request, reply) => {
      const { username, password, client_uid } = request.body;
      const tokens = await loginWithPassword(ctx, { username, password, ...(client_uid ? { clientUid: client_uid } : {}) });
      reply.header('Cache-Control', 'no-store');
      if (!tokens) return reply.code(401).send({ errorCode: 'AUTHENTICATION_REQUIRED', errorMessage: 'No active account found with the given credentials' });
      return tokens;
    },
  );

  app.post(
    '/api/token/refresh/',
    {
      config: { auth: false, surface: 'factpulse' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new access token',
        security: [],
        body: Type.Object({ refresh: Type.String({ minLength: 1, maxLength: 4096 }) }),
        response: { 200: Type.Object({ access: Type.String() }), 401: FactPulseError },
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
