/** `/v1/users`: the people who operate the account, their roles and permissions; `/v1/users/me`. */
import { Type } from 'typebox';
import type { AuthContext } from '../../core/auth.js';
import { PERMISSION_NAMES } from '../../core/permissions.js';
import type { User } from '../../core/types.js';
import { confirmTotp, disableTotp, enrollTotp } from '../../core/two-factor.js';
import { changeOwnPassword, createUser, deleteUser, getCurrentUser, getSignInLock, getUser, listUsers, MIN_PASSWORD_LENGTH, unlockSignIn, updateUser, userSnapshot } from '../../core/users.js';
import { replyCreated } from '../idempotency.js';
import type { App } from '../types.js';
import { Cursor, DateTime, ErrorResponses, Limit, NullableDateTime, Uuid } from './schemas.js';

const tags = ['users'];
const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('viewer')], {
  description: 'owner: everything; admin: everything but users and account settings; viewer: every :read',
});
const Permissions = Type.Array(Type.Union(PERMISSION_NAMES.map((p) => Type.Literal(p))), { uniqueItems: true, maxItems: PERMISSION_NAMES.length, description: "Given beyond the role's" });

const UserWire = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    role: Role,
    permissions: Type.Array(Type.String()),
    twoFactorEnabled: Type.Boolean(),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'User' },
);
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

function toWire(u: User) {
  return { ...userSnapshot(u), createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() };
}

export function registerUserRoutes(app: App, ctx: AuthContext): void {
  app.get(
    '/v1/users',
    {
      schema: {
        tags,
        summary: "List the account's users",
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(UserWire), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...ErrorResponses },
      },
    },
    async (request) => {
      const page = await listUsers(ctx, request.principal, { limit: request.query.limit ?? 20, ...(request.query.cursor !== undefined ? { cursor: request.query.cursor } : {}) });
      return { data: page.data.map(toWire), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/users',
    {
      schema: {
        tags,
        summary: 'Create a user (its one-time setup password is shown only in this response)',
        body: Type.Object({ email: Type.String({ format: 'email', maxLength: 320 }), role: Role, permissions: Type.Optional(Permissions) }, { additionalProperties: false }),
        response: {
          201: Type.Object({
            user: UserWire,
            setupPassword: Type.String({ description: `Shown once. The user signs in with it and sets their own password (at least ${MIN_PASSWORD_LENGTH} characters).` }),
          }),
          ...ErrorResponses,
        },
      },
    },
    async (request, reply) =>
      replyCreated(ctx, request, reply, async (c) => {
        const b = request.body;
        const created = await createUser(c, request.principal, { email: b.email, role: b.role, ...(b.permissions ? { permissions: b.permissions } : {}) });
        return { user: toWire(created.user), setupPassword: created.setupPassword };
      }),
  );

  app.get('/v1/users/me', { schema: { tags, summary: 'The user this credential acts as', response: { 200: UserWire, ...ErrorResponses } } }, async (request) =>
    toWire(await getCurrentUser(ctx, request.principal)),
  );

  app.post(
    '/v1/users/me/password',
    {
      schema: {
        tags,
        summary: 'Change your own password (the current one is required)',
        body: Type.Object(
          { currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...ErrorResponses },
      },
    },
    async (request, reply) => {
      await changeOwnPassword(ctx, request.principal, request.body.currentPassword, request.body.newPassword);
      return reply.code(204).send(null);
    },
  );

  const Code = Type.Object({ code: Type.String({ minLength: 6, maxLength: 32, description: 'A TOTP code (or, to disable, a recovery code)' }) }, { additionalProperties: false });

  app.post(
    '/v1/users/me/2fa',
    {
      schema: {
        tags,
        summary: 'Start two-factor enrolment: a new TOTP secret and its otpauth:// URI (shown once; nothing changes until confirmed)',
        response: { 200: Type.Object({ secret: Type.String({ description: 'base32' }), otpauthUri: Type.String() }), ...ErrorResponses },
      },
    },
    async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      return enrollTotp(ctx, request.principal);
    },
  );

  app.post(
    '/v1/users/me/2fa/confirm',
    {
      schema: {
        tags,
        summary: 'Turn two-factor authentication on with a code of the enrolled secret; the ten recovery codes are shown only in this response',
        body: Code,
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...ErrorResponses },
      },
    },
    async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      return confirmTotp(ctx, request.principal, request.body.code);
    },
  );

  app.post(
    '/v1/users/me/2fa/disable',
    { schema: { tags, summary: 'Turn two-factor authentication off (a current code or a recovery code)', body: Code, response: { 204: Type.Null(), ...ErrorResponses } } },
    async (request, reply) => {
      await disableTotp(ctx, request.principal, request.body.code);
      return reply.code(204).send(null);
    },
  );

  app.get('/v1/users/:id', { schema: { tags, summary: 'Get a user', params: IdParams, response: { 200: UserWire, ...ErrorResponses } } }, async (request) =>
    toWire(await getUser(ctx, request.principal, request.params.id)),
  );

  app.patch(
    '/v1/users/:id',
    {
      schema: {
        tags,
        summary: "Change a user's role or permissions (never beyond your own; the last owner stays an owner)",
        params: IdParams,
        body: Type.Object({ role: Type.Optional(Role), permissions: Type.Optional(Permissions) }, { additionalProperties: false }),
        response: { 200: UserWire, ...ErrorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      return toWire(await updateUser(ctx, request.principal, request.params.id, { ...(b.role ? { role: b.role } : {}), ...(b.permissions ? { permissions: b.permissions } : {}) }));
    },
  );

  const Lock = Type.Object({
    failures: Type.Integer({ description: 'Failed sign-ins in a row' }),
    locked: Type.Boolean(),
    lockedUntil: NullableDateTime,
    retryAfter: Type.Union([DateTime, Type.Null()], { description: 'The next sign-in may not come before this (a growing delay, or the lock)' }),
  });
  app.get('/v1/users/:id/sign-in-lock', { schema: { tags, summary: "The user's failed sign-ins and sign-in lock", params: IdParams, response: { 200: Lock, ...ErrorResponses } } }, async (request) => {
    const l = await getSignInLock(ctx, request.principal, request.params.id);
    return { failures: l.failures, locked: l.locked, lockedUntil: l.lockedUntil?.toISOString() ?? null, retryAfter: l.retryAfter?.toISOString() ?? null };
  });
  app.delete(
    '/v1/users/:id/sign-in-lock',
    { schema: { tags, summary: "Lift the user's sign-in lock and forget its failed sign-ins", params: IdParams, response: { 204: Type.Null(), ...ErrorResponses } } },
    async (request, reply) => {
      await unlockSignIn(ctx, request.principal, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.delete('/v1/users/:id', { schema: { tags, summary: 'Remove a user (not the last owner)', params: IdParams, response: { 204: Type.Null(), ...ErrorResponses } } }, async (request, reply) => {
    await deleteUser(ctx, request.principal, request.params.id);
    return reply.code(204).send(null);
  });
}
