/**
 * The FactPulse Client Management operations (12 + DELETE pdp-config): translate in, call
 * the core, translate out. Errors are written by the surface's one writer (errors.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../../../core/auth.js';
import { createClient, getClient, listClientsPage, setClientActive, updateClient, type ClientInput } from '../../../core/clients.js';
import { decodeClientKey, deleteIntegration, getIntegration, integrationFlags, putIntegration, rotateClientEncryptionKey } from '../../../core/integrations.js';
import type { Client, EncryptionMode, Principal } from '../../../core/types.js';
import { deleteClientWebhookSecret, generateClientWebhookSecret, getClientWebhookSecretStatus } from '../../../core/webhook-secrets.js';
import type { App } from '../../types.js';
import { readClientKey } from '../../encryption-key.js';
import { clientDetail, pdpConfig, PDP_NOT_CONFIGURED } from './mappers.js';
import * as S from './schemas.js';

const tags = ['factpulse'];
/** The vendor surface is documented by its vendor; keep it out of the native OpenAPI document. */
const hide = true;

async function detailOf(ctx: AuthContext, principal: Principal, client: Client) {
  const flags = await integrationFlags(ctx, principal.accountId, [client.id]);
  return clientDetail(client, flags.get(client.id));
}

export function registerFactPulseClientRoutes(app: App, ctx: AuthContext): void {
  app.get('/api/v1/clients', { schema: { hide, tags, querystring: S.ListQuery, response: { 200: S.ClientListResponse } } }, async (request) => {
    const page = request.query.page ?? 1;
    const pageSize = request.query.pageSize ?? 20;
    const { rows, total } = await listClientsPage(ctx, request.principal, page, pageSize);
    const flags = await integrationFlags(
      ctx,
      request.principal.accountId,
      rows.map((c) => c.id),
    );
    return { results: rows.map((c) => clientDetail(c, flags.get(c.id))), total, page, pageSize };
  });

  app.post('/api/v1/clients', { schema: { hide, tags, body: S.ClientCreateRequest, response: { 201: S.ClientDetail } } }, async (request, reply) => {
    const b = request.body;
    const client = await createClient(ctx, request.principal, {
      name: b.name,
      ...(b.description !== undefined ? { description: b.description } : {}),
      ...(b.siret !== undefined ? { siret: b.siret } : {}),
    });
    return reply.code(201).send(clientDetail(client));
  });

  app.get('/api/v1/clients/:uid', { schema: { hide, tags, params: S.UidParams, response: { 200: S.ClientDetail } } }, async (request) =>
    detailOf(ctx, request.principal, await getClient(ctx, request.principal, request.params.uid)),
  );

  app.patch('/api/v1/clients/:uid', { schema: { hide, tags, params: S.UidParams, body: S.ClientUpdateRequest, response: { 200: S.ClientDetail } } }, async (request) => {
    const b = request.body;
    const input: ClientInput = {};
    if (b.name !== undefined) input.name = b.name;
    if (b.description !== undefined) input.description = b.description;
    if (b.siret !== undefined) input.siret = b.siret;
    return detailOf(ctx, request.principal, await updateClient(ctx, request.principal, request.params.uid, input));
  });

  for (const [path, active] of [
    ['activer', true],
    ['desactiver', false],
  ] as const) {
    app.post(`/api/v1/clients/:uid/${path}`, { schema: { hide, tags, params: S.UidParams, response: { 200: S.ClientActivateResponse } } }, async (request) => {
      // Client level in the contract: a client-scoped token may act on its own client.
      const client = await setClientActive(ctx, request.principal, request.params.uid, active, { allowOwnClient: true });
      return { uid: client.id, isActive: client.isActive, message: active ? 'Client activated' : 'Client deactivated' };
    });
  }

  app.get('/api/v1/clients/:uid/pdp-config', { schema: { hide, tags, params: S.UidParams, response: { 200: S.PDPConfigResponse } } }, async (request) => {
    const i = await getIntegration(ctx, request.principal, request.params.uid, 'pdp');
    return i ? pdpConfig(i) : PDP_NOT_CONFIGURED;
  });

  app.put('/api/v1/clients/:uid/pdp-config', { schema: { hide, tags, params: S.UidParams, body: S.PDPConfigUpdateRequest, response: { 200: S.PDPConfigResponse } } }, async (request) => {
    // Pydantic ignores properties it does not declare: only the schema's reach the core.
    const { encryptionMode, ...fields } = Object.fromEntries(Object.keys(S.PDPConfigUpdateRequest.properties).map((name) => [name, request.body[name as keyof typeof request.body]]));
    const clientKey = readClientKey(request);
    const i = await putIntegration(ctx, request.principal, request.params.uid, 'pdp', {
      fields,
      encryptionMode: (encryptionMode as EncryptionMode | null | undefined) ?? 'fernet',
      ...(clientKey ? { clientKey } : {}),
    });
    return pdpConfig(i);
  });

  app.delete('/api/v1/clients/:uid/pdp-config', { schema: { hide, tags, params: S.UidParams, response: { 200: S.SuccessMessage } } }, async (request) => {
    const deleted = await deleteIntegration(ctx, request.principal, request.params.uid, 'pdp');
    return { success: true, message: deleted ? 'PDP configuration deleted' : 'No PDP configuration to delete' };
  });

  app.post('/api/v1/clients/:uid/rotate-encryption-key', { schema: { hide, tags, params: S.UidParams, body: S.KeyRotationRequest, response: { 200: S.KeyRotationResponse } } }, async (request) => {
    const oldKey = decodeClientKey(request.body.oldKey, 'body.oldKey');
    const newKey = decodeClientKey(request.body.newKey, 'body.newKey');
    const rotatedCount = await rotateClientEncryptionKey(ctx, request.principal, request.params.uid, oldKey, newKey);
    return { success: true, message: `Re-encrypted ${rotatedCount} secret(s) with the new key`, rotatedCount };
  });

  app.post('/api/v1/clients/:uid/webhook-secret/generate', { schema: { hide, tags, params: S.UidParams, response: { 200: S.WebhookSecretGenerateResponse } } }, async (request) => {
    const { secret, createdAt } = await generateClientWebhookSecret(ctx, request.principal, request.params.uid);
    return { success: true, webhookSecret: secret, message: 'Webhook secret generated. Save it now: it will never be shown again.', createdAt: createdAt.toISOString() };
  });

  app.get('/api/v1/clients/:uid/webhook-secret/status', { schema: { hide, tags, params: S.UidParams, response: { 200: S.WebhookSecretStatusResponse } } }, async (request) => {
    const s = await getClientWebhookSecretStatus(ctx, request.principal, request.params.uid);
    return { hasSecret: s.hasSecret, createdAt: s.createdAt?.toISOString() ?? null };
  });

  app.delete(
    '/api/v1/clients/:uid/webhook-secret',
    { schema: { hide, tags, params: S.UidParams, response: { 200: S.SuccessMessage } } },
    async (request: FastifyRequest<{ Params: { uid: string } }>, _reply: FastifyReply) => {
      const deleted = await deleteClientWebhookSecret(ctx, request.principal, request.params.uid);
      return {
        success: true,
        message: deleted ? "Webhook secret deleted; the account default secret now signs this client's webhooks" : 'No webhook secret was configured',
      };
    },
  );
}
