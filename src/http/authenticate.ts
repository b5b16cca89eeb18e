/**
 * Reads a request's credentials — `Authorization: Bearer <JWT>`, `Authorization: Basic
 * base64(keyId:secret)`, `X-API-Key: <token>` and, where a surface allows it, `?apiKey=` —
 * and resolves the principal. Every presented credential must be valid; a failure never
 * says which part was wrong or whether a key exists.
 */
import type { FastifyRequest } from 'fastify';
import { authenticateAccessToken, type AuthContext } from '../core/auth.js';
import { AppError } from '../core/errors.js';
import type { Principal } from '../core/types.js';
import { isCsrfToken, authenticateSession } from '../core/sessions.js';
import { authenticateKey } from '../core/verification.js';
import { parseToken } from '../crypto/key-format.js';

export interface CredentialOptions {
  /** Accept `?apiKey=<token>` (the CCM19 surface). */
  queryApiKey?: boolean;
}

/** The cookie of a browser session (the native API only). */
export const SESSION_COOKIE = 'clientele_session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser session's principal, when the request carries no other credential but the
 * session cookie. A change (any unsafe method) made with it must carry the session's CSRF
 * token in `X-CSRF-Token` and, when the browser says where it comes from (`Origin`), come from
 * this server's own origin: a cross-site form or script gets CSRF_REJECTED.
 */
async function fromSession(ctx: AuthContext, request: FastifyRequest): Promise<Principal | null> {
  const token = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE];
  if (!token) return null;
  const principal = await authenticateSession(ctx, token);
  if (!principal) throw new AppError('UNAUTHENTICATED', 'The session has ended: sign in again');
  if (!SAFE_METHODS.has(request.method)) {
    const origin = request.headers.origin;
    const own = `${request.protocol}://${request.host}`;
    const csrf = request.headers['x-csrf-token'];
    if ((origin !== undefined && origin !== own) || principal.kind !== 'account' || !isCsrfToken(ctx, principal.sessionId ?? '', typeof csrf === 'string' ? csrf : undefined)) {
      throw new AppError('CSRF_REJECTED');
    }
  }
  return principal;
}

/** Parses `Authorization: Basic …` into key id and secret (RFC 7617). */
export function parseBasic(header: string): { user: string; pass: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 1) return null;
  return { user: text.slice(0, i), pass: text.slice(i + 1) };
}

async function fromAuthorization(ctx: AuthContext, header: string): Promise<Principal | null> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer?.[1]) return authenticateAccessToken(ctx, bearer[1]);
  const basic = parseBasic(header);
  if (basic) return authenticateKey(ctx, basic.user, basic.pass);
  return null;
}

async function fromToken(ctx: AuthContext, token: string): Promise<Principal | null> {
  const parts = parseToken(token.trim());
  return parts ? authenticateKey(ctx, parts.keyId, parts.secret) : null;
}

/** The principal for a request, or null when it presents no credential at all. Throws on a bad one. */
async function readPrincipal(ctx: AuthContext, request: FastifyRequest, options: CredentialOptions = {}): Promise<Principal | null> {
  const found: Array<Promise<Principal | null>> = [];
  const authorization = request.headers.authorization;
  if (authorization) found.push(fromAuthorization(ctx, authorization));
  const apiKeyHeader = request.headers['x-api-key'];
  if (typeof apiKeyHeader === 'string' && apiKeyHeader) found.push(fromToken(ctx, apiKeyHeader));
  else if (Array.isArray(apiKeyHeader)) throw new AppError('UNAUTHENTICATED', 'Send one X-API-Key header');
  if (options.queryApiKey) {
    const q = (request.query as Record<string, unknown> | undefined)?.apiKey;
    if (typeof q === 'string' && q) found.push(fromToken(ctx, q));
  }
  if (found.length === 0) return null;
  const principals = await Promise.all(found);
  const first = principals[0];
  if (!first || principals.some((p) => p === null)) throw new AppError('UNAUTHENTICATED', 'The credential is not valid');
  if (principals.some((p) => p!.accountId !== first.accountId)) throw new AppError('UNAUTHENTICATED', 'The credentials disagree');
  return first;
}

/**
 * Like readPrincipal, but a missing credential is a 401 too. `sessions`: the route's surface
 * takes browser sessions (the native API), used only when no other credential is presented.
 */
export async function requirePrincipal(ctx: AuthContext, request: FastifyRequest, options: CredentialOptions = {}, sessions = false): Promise<Principal> {
  const p = (await readPrincipal(ctx, request, options)) ?? (sessions ? await fromSession(ctx, request) : null);
  if (!p) throw new AppError('UNAUTHENTICATED', 'Send Authorization: Bearer <token>, Authorization: Basic, or X-API-Key');
  return p;
}

/**
 * The request presents a credential of its own (a header, or the CCM19 query key) — what a
 * wrong guess looks like. A session cookie is not counted: its token is not guessable, and a
 * browser holding an ended one is no attacker.
 */
export function presentsCredential(request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown> | undefined;
  return request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined || typeof query?.apiKey === 'string';
}
