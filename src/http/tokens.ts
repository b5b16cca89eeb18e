/**
 * The OAuth surface: `POST /oauth2/token` (RFC 6749 client credentials), its errors in
 * RFC 6749 §5.2 form. (FactPulse's `/api/token/` endpoints belong to the FactPulse surface.)
 */
import type { FastifyReply } from 'fastify';
import { grantClientCredentials, type AuthContext } from '../core/auth.js';
import { countAuthFailure } from '../core/throttle.js';
import { parseBasic } from './authenticate.js';
import type { ErrorWriter } from './errors.js';
import type { Surface } from './surfaces.js';
import type { App } from './types.js';

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
  // Not in RFC 6749 (whose errors are all 400 or 401): the HTTP status says it, with Retry-After.
  if (err.status === 429) return oauthError(reply, 429, 'temporarily_unavailable', err.message);
  if (err.status >= 500) {
    if (err.status === 503 && !reply.hasHeader('Retry-After')) reply.header('Retry-After', '1');
    return oauthError(reply, err.status === 503 ? 503 : 500, err.status === 503 ? 'temporarily_unavailable' : 'server_error', err.message);
  }
  return oauthError(reply, err.status === 408 || err.status === 413 || err.status === 414 || err.status === 415 || err.status === 431 ? err.status : 400, 'invalid_request', err.message);
};

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** RFC 6749 §2.3.1 form-encodes Basic credentials; a malformed escape is a bad credential, not a crash. */
function percentDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function registerOAuthRoutes(app: App, ctx: AuthContext): void {
  app.post(
    '/oauth2/token',
    {
      config: { auth: false, formBody: true, tokenEndpoint: true },
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
      if (!grant) {
        await countAuthFailure(ctx, request.ip);
        return oauthError(reply, 401, 'invalid_client', 'Client authentication failed');
      }
      reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      return {
        access_token: grant.accessToken,
        token_type: 'Bearer',
        expires_in: grant.expiresIn,
        ...(grant.scope ? { scope: grant.scope } : {}),
      };
    },
  );
}

export const oauthSurface: Surface = { name: 'oauth', prefixes: ['/oauth2/'], writeError: writeOAuthError, routes: registerOAuthRoutes };
