/**
 * `/v1/sessions`: browser sign-in for the admin console. The session token travels only in
 * an HttpOnly, SameSite=Strict, Secure cookie (browsers keep Secure cookies of
 * http://localhost too); the body carries the CSRF token the console sends back in
 * `X-CSRF-Token` on every change.
 */
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AuthContext } from '../../core/auth.js';
import { createSession, csrfTokenFor, currentSession, listOwnSessions, revokeSession, sessionEnd } from '../../core/sessions.js';
import type { Session } from '../../core/types.js';
import { getCurrentUser, userSnapshot } from '../../core/users.js';
import { SESSION_COOKIE } from '../authenticate.js';
import type { App } from '../types.js';
import { DateTime, ErrorResponses, Uuid } from './schemas.js';

const tags = ['sessions'];

const SessionWire = Type.Object({
  id: Uuid,
  createdAt: DateTime,
  lastSeenAt: DateTime,
  expiresAt: DateTime,
  /** When it ends if not used again (idle expiry, or the absolute end). */
  endsAt: DateTime,
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
});
const SignedIn = Type.Object({
  session: SessionWire,
  user: Type.Object({ id: Uuid, email: Type.String(), role: Type.String(), permissions: Type.Array(Type.String()), twoFactorEnabled: Type.Boolean() }),
  csrfToken: Type.String({ description: 'Send it back in X-CSRF-Token on every change made with this session' }),
});

function setCookie(reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, value, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: maxAgeSeconds });
}

export function registerSessionRoutes(app: App, ctx: AuthContext): void {
  const toWire = (s: Session, currentId?: string) => ({
    id: s.id,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    endsAt: sessionEnd(ctx, s).toISOString(),
    userAgent: s.userAgent,
    current: s.id === currentId,
  });

  app.post(
    '/v1/sessions',
    {
      config: { auth: false, tokenEndpoint: true },
      schema: {
        tags,
        summary: 'Sign in (a user’s e-mail and password, and a TOTP or recovery code when it has two-factor authentication): sets the session cookie',
        security: [],
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }), otp: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })) },
          { additionalProperties: false },
        ),
        response: { 201: SignedIn, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      const { email, password, otp } = request.body;
      const userAgent = request.headers['user-agent'];
      const { session, token, user } = await createSession(ctx, { email, password, address: request.ip, ...(otp ? { otp } : {}), ...(userAgent ? { userAgent } : {}) });
      setCookie(reply, token, Math.floor((session.expiresAt.getTime() - session.createdAt.getTime()) / 1000));
      reply.header('Cache-Control', 'no-store');
      return reply.code(201).send({ session: toWire(session, session.id), user: userSnapshot(user), csrfToken: csrfTokenFor(ctx, session.id) });
    },
  );

  app.get('/v1/sessions/current', { schema: { tags, summary: 'The calling session, its user and its CSRF token', response: { 200: SignedIn, ...ErrorResponses } } }, async (request, reply) => {
    const session = await currentSession(ctx, request.principal);
    reply.header('Cache-Control', 'no-store');
    return { session: toWire(session, session.id), user: userSnapshot(await getCurrentUser(ctx, request.principal)), csrfToken: csrfTokenFor(ctx, session.id) };
  });

  app.get('/v1/sessions', { schema: { tags, summary: "The calling user's open sessions", response: { 200: Type.Object({ data: Type.Array(SessionWire) }), ...ErrorResponses } } }, async (request) => {
    const current = request.principal.kind === 'account' ? request.principal.sessionId : undefined;
    return { data: (await listOwnSessions(ctx, request.principal)).map((s) => toWire(s, current)) };
  });

  app.delete(
    '/v1/sessions/:id',
    {
      schema: {
        tags,
        summary: 'End one of your sessions (`current`: sign out, clearing the cookie)',
        params: Type.Object({ id: Type.Union([Uuid, Type.Literal('current')]) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...ErrorResponses },
      },
    },
    async (request, reply) => {
      await revokeSession(ctx, request.principal, request.params.id);
      if (request.params.id === 'current') setCookie(reply, '', 0);
      return reply.code(204).send(null);
    },
  );
}
