/** `/v1/keys`: thin translations onto src/core/api-keys.ts and verification. */
import { Type } from 'typebox';
import { createKey, deleteKey, getKey, listKeys, resetKey, updateKey } from '../../core/api-keys.js';
import type { AuthContext } from '../../core/auth.js';
import { verifyKey, type VerifyInput } from '../../core/verification.js';
import type { App } from '../types.js';
import { replayBody } from '../fast-lane.js';
import { replyCreated } from '../idempotency.js';
import { issuedKeyToWire, keyToWire, verifyOutcomeToWire } from './mappers.js';
import { ApiKey, ErrorResponses, IssuedKey, KeyCreate, KeyIdParams, KeyListQuery, KeyPage, KeyReset, KeyUpdate, VerifyRequest, VerifyResponse } from './schemas.js';

const tags = ['keys'];
const date = (s: string | null | undefined) => (s === undefined ? undefined : s === null ? null : new Date(s));

export function registerKeyRoutes(app: App, ctx: AuthContext): void {
  app.get('/v1/keys', { schema: { tags, summary: 'List API keys (of the account, or of one client)', querystring: KeyListQuery, response: { 200: KeyPage, ...ErrorResponses } } }, async (request) => {
    const q = request.query;
    const page = await listKeys(ctx, request.principal, {
      limit: q.limit ?? 20,
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      ...(q.clientId !== undefined ? { clientId: q.clientId } : {}),
      ...(q.owner !== undefined ? { owner: q.owner } : {}),
    });
    return { data: page.data.map(keyToWire), nextCursor: page.nextCursor };
  });

  app.post(
    '/v1/keys',
    { schema: { tags, summary: 'Create an API key (the secret is shown only in this response)', body: KeyCreate, response: { 201: IssuedKey, ...ErrorResponses } } },
    async (request, reply) => {
      const b = request.body;
      return replyCreated(ctx, request, reply, async (ctx) => {
        const expiresAt = date(b.expiresAt);
        const issued = await createKey(ctx, request.principal, {
          ...(b.clientId !== undefined ? { clientId: b.clientId } : {}),
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.isPrimary !== undefined ? { isPrimary: b.isPrimary } : {}),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
          ...(b.scopes !== undefined ? { scopes: b.scopes } : {}),
          ...(b.permissions !== undefined ? { permissions: b.permissions } : {}),
          ...(b.ratelimits !== undefined ? { ratelimits: b.ratelimits } : {}),
        });
        return issuedKeyToWire(issued);
      });
    },
  );

  app.post(
    '/v1/keys/verify',
    {
      schema: {
        tags,
        summary: 'Verify a key (token, or key id and secret); a wrong secret answers like an unknown key',
        body: VerifyRequest,
        response: { 200: VerifyResponse, ...ErrorResponses },
      },
      // The fast lane may have read the body already (src/http/fast-lane.ts).
      preParsing: async (request, _reply, payload) => replayBody(request.raw, payload),
    },
    async (request) => verifyOutcomeToWire(await verifyKey(ctx, request.principal, request.body as VerifyInput)),
  );

  app.get('/v1/keys/:keyId', { schema: { tags, summary: 'Get an API key (never its secret)', params: KeyIdParams, response: { 200: ApiKey, ...ErrorResponses } } }, async (request) =>
    keyToWire(await getKey(ctx, request.principal, request.params.keyId)),
  );

  app.patch(
    '/v1/keys/:keyId',
    {
      schema: {
        tags,
        summary: 'Update an API key (name, primary, enabled, expiry, scopes, permissions, rate limits)',
        params: KeyIdParams,
        body: KeyUpdate,
        response: { 200: ApiKey, ...ErrorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const expiresAt = date(b.expiresAt);
      const key = await updateKey(ctx, request.principal, request.params.keyId, {
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.isPrimary !== undefined ? { isPrimary: b.isPrimary } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
        ...(b.scopes !== undefined ? { scopes: b.scopes } : {}),
        ...(b.permissions !== undefined ? { permissions: b.permissions } : {}),
        ...(b.ratelimits !== undefined ? { ratelimits: b.ratelimits } : {}),
      });
      return keyToWire(key);
    },
  );

  app.delete(
    '/v1/keys/:keyId',
    { schema: { tags, summary: 'Delete an API key (not the primary key)', params: KeyIdParams, response: { 204: Type.Null(), ...ErrorResponses } } },
    async (request, reply) => {
      await deleteKey(ctx, request.principal, request.params.keyId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/keys/:keyId/reset',
    {
      schema: {
        tags,
        summary: 'Issue a new secret; the old one may keep working for a grace period',
        params: KeyIdParams,
        body: Type.Optional(KeyReset),
        response: { 200: IssuedKey, ...ErrorResponses },
      },
      // A bodyless reset means no grace period.
      config: { optionalBody: true },
    },
    async (request) => {
      const body = request.body as { gracePeriodSeconds?: number } | undefined;
      return issuedKeyToWire(await resetKey(ctx, request.principal, request.params.keyId, body?.gracePeriodSeconds ?? 0));
    },
  );
}
