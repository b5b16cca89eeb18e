/**
 * `/v1/clients/{id}/integrations/{kind}`, the client webhook secret and the client
 * encryption-key rotation: thin translations onto core/integrations.ts and
 * core/webhook-secrets.ts. Secret fields go in, never out.
 */
import { Type } from 'typebox';
import type { AuthContext } from '../../core/auth.js';
import { AppError } from '../../core/errors.js';
import { decodeClientKey, deleteIntegration, getIntegration, putIntegration, rotateClientEncryptionKey, testIntegration } from '../../core/integrations.js';
import type { Integration } from '../../core/types.js';
import { deleteClientWebhookSecret, generateClientWebhookSecret, getClientWebhookSecretStatus } from '../../core/webhook-secrets.js';
import type { App } from '../types.js';
import { readClientKey } from '../encryption-key.js';
import { ErrorResponses, Uuid } from './schemas.js';

const tags = ['integrations'];
const DateTime = Type.String({ format: 'date-time' });
const Kind = Type.Union([Type.Literal('pdp'), Type.Literal('chorus-pro')]);
const KindParams = Type.Object({ id: Uuid, kind: Kind }, { additionalProperties: false });
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const Url = Type.String({ minLength: 1, maxLength: 2048 });

const IntegrationPut = Type.Object(
  {
    isActive: Type.Optional(Type.Boolean()),
    modeSandbox: Type.Optional(Type.Boolean()),
    flowServiceUrl: Type.Optional(Url),
    apiUrl: Type.Optional(Url),
    tokenUrl: Type.Optional(Url),
    oauthClientId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    technicalLogin: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Write-only' })),
    technicalPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Write-only' })),
    encryptionMode: Type.Optional(Type.Union([Type.Literal('fernet'), Type.Literal('double')], { default: 'fernet' })),
  },
  {
    additionalProperties: false,
    description:
      'pdp: flowServiceUrl, tokenUrl, oauthClientId, clientSecret. chorus-pro: apiUrl, tokenUrl, oauthClientId, technicalLogin, clientSecret, technicalPassword. `double` needs X-Encryption-Key.',
  },
);

const IntegrationWire = Type.Object({
  kind: Kind,
  settings: Type.Record(Type.String(), Type.Union([Type.String(), Type.Boolean(), Type.Null()])),
  encryptionMode: Type.Union([Type.Literal('fernet'), Type.Literal('double')]),
  secretStatus: Type.Object({ status: Type.Literal('active'), requiresClientKey: Type.Boolean() }),
  lastTestAt: Type.Union([DateTime, Type.Null()]),
  lastTestSuccess: Type.Union([Type.Boolean(), Type.Null()]),
  lastTestError: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
});

function toWire(i: Integration) {
  return {
    kind: i.kind,
    settings: i.settings as Record<string, string | boolean | null>,
    encryptionMode: i.encryptionMode,
    secretStatus: { status: 'active' as const, requiresClientKey: i.encryptionMode === 'double' },
    lastTestAt: i.lastTestAt?.toISOString() ?? null,
    lastTestSuccess: i.lastTestSuccess,
    lastTestError: i.lastTestError,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}

const EncryptionKeyHeader = Type.Object({ 'x-encryption-key': Type.Optional(Type.String({ description: 'Base64 AES-256 key for double encryption; never stored' })) });

export function registerIntegrationRoutes(app: App, ctx: AuthContext): void {
  app.get(
    '/v1/clients/:id/integrations/:kind',
    { schema: { tags, summary: 'Get an integration (secret fields are never returned)', params: KindParams, response: { 200: IntegrationWire, ...ErrorResponses } } },
    async (request) => {
      const i = await getIntegration(ctx, request.principal, request.params.id, request.params.kind);
      if (!i) throw new AppError('INTEGRATION_NOT_FOUND');
      return toWire(i);
    },
  );

  app.put(
    '/v1/clients/:id/integrations/:kind',
    { schema: { tags, summary: 'Create or replace an integration', params: KindParams, headers: EncryptionKeyHeader, body: IntegrationPut, response: { 200: IntegrationWire, ...ErrorResponses } } },
    async (request) => {
      const { encryptionMode, ...fields } = request.body;
      const clientKey = readClientKey(request);
      const i = await putIntegration(ctx, request.principal, request.params.id, request.params.kind, {
        fields,
        encryptionMode: encryptionMode ?? 'fernet',
        ...(clientKey ? { clientKey } : {}),
      });
      return toWire(i);
    },
  );

  app.delete(
    '/v1/clients/:id/integrations/:kind',
    { schema: { tags, summary: 'Delete an integration', params: KindParams, response: { 204: Type.Null(), ...ErrorResponses } } },
    async (request, reply) => {
      if (!(await deleteIntegration(ctx, request.principal, request.params.id, request.params.kind))) throw new AppError('INTEGRATION_NOT_FOUND');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/clients/:id/integrations/:kind/test',
    {
      schema: {
        tags,
        summary: 'Test the stored credentials: an OAuth client-credentials request to the stored tokenUrl; the outcome is recorded',
        params: KindParams,
        headers: EncryptionKeyHeader,
        response: { 200: IntegrationWire, ...ErrorResponses },
      },
    },
    async (request) => toWire(await testIntegration(ctx, request.principal, request.params.id, request.params.kind, readClientKey(request))),
  );

  app.post(
    '/v1/clients/:id/rotate-encryption-key',
    {
      schema: {
        tags,
        summary: "Re-encrypt all the client's double-encrypted secrets from oldKey to newKey (all or nothing)",
        params: IdParams,
        body: Type.Object({ oldKey: Type.String({ minLength: 40, maxLength: 200 }), newKey: Type.String({ minLength: 40, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ rotatedCount: Type.Integer() }), ...ErrorResponses },
      },
    },
    async (request) => {
      const oldKey = decodeClientKey(request.body.oldKey, 'body.oldKey');
      const newKey = decodeClientKey(request.body.newKey, 'body.newKey');
      return { rotatedCount: await rotateClientEncryptionKey(ctx, request.principal, request.params.id, oldKey, newKey) };
    },
  );

  app.post(
    '/v1/clients/:id/webhook-secret/generate',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Generate (or replace) the client's webhook signing secret — shown only in this response",
        params: IdParams,
        response: { 200: Type.Object({ webhookSecret: Type.String(), createdAt: DateTime }), ...ErrorResponses },
      },
    },
    async (request) => {
      const { secret, createdAt } = await generateClientWebhookSecret(ctx, request.principal, request.params.id);
      return { webhookSecret: secret, createdAt: createdAt.toISOString() };
    },
  );

  app.get(
    '/v1/clients/:id/webhook-secret/status',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Whether the client has its own webhook secret',
        params: IdParams,
        response: { 200: Type.Object({ hasSecret: Type.Boolean(), createdAt: Type.Union([DateTime, Type.Null()]) }), ...ErrorResponses },
      },
    },
    async (request) => {
      const s = await getClientWebhookSecretStatus(ctx, request.principal, request.params.id);
      return { hasSecret: s.hasSecret, createdAt: s.createdAt?.toISOString() ?? null };
    },
  );

  app.delete(
    '/v1/clients/:id/webhook-secret',
    { schema: { tags: ['webhooks'], summary: "Delete the client's webhook secret (the account default then signs)", params: IdParams, response: { 204: Type.Null(), ...ErrorResponses } } },
    async (request, reply) => {
      await deleteClientWebhookSecret(ctx, request.principal, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
