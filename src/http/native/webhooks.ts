/** `/v1/webhook-endpoints`, deliveries, and the account default webhook secret. */
import { Type } from 'typebox';
import type { AuthContext } from '../../core/auth.js';
import { createEndpoint, deleteEndpoint, getEndpoint, listDeliveries, listEndpoints, redeliver, sendTestEvent, updateEndpoint } from '../../core/webhook-endpoints.js';
import type { WebhookDelivery, WebhookEndpoint } from '../../core/types.js';
import { deleteAccountWebhookSecret, generateAccountWebhookSecret, getAccountWebhookSecretStatus } from '../../core/webhook-secrets.js';
import type { App } from '../types.js';
import { replyCreated } from '../idempotency.js';
import { ErrorResponses, Uuid } from './schemas.js';

const tags = ['webhooks'];
const DateTime = Type.String({ format: 'date-time' });
const NullableDate = Type.Union([DateTime, Type.Null()]);
const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
const Events = Type.Array(Type.String({ pattern: '^(\\*|[a-z0-9_]+(\\.[a-z0-9_]+)*(\\.\\*)?)$', maxLength: 100 }), {
  maxItems: 100,
  uniqueItems: true,
  description: 'Event types; `client.*` matches a prefix; absent or null = every event',
});
const Format = Type.Union([Type.Literal('native'), Type.Literal('factpulse')], { description: 'native: {id, type, createdAt, data}; factpulse: {event_type, data}' });
const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL; private and loopback addresses are refused unless allowed by CLIENTELE_WEBHOOK_ALLOW_HOSTS' });

const Endpoint = Type.Object({
  id: Uuid,
  url: Type.String(),
  events: Type.Union([Type.Array(Type.String()), Type.Null()]),
  clientId: Type.Union([Uuid, Type.Null()]),
  format: Format,
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const Delivery = Type.Object({
  id: Uuid,
  endpointId: Uuid,
  eventId: Uuid,
  eventType: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('sending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('waiting_secret')]),
  attempts: Type.Integer(),
  responseStatus: Type.Union([Type.Integer(), Type.Null()]),
  responseBody: Type.Union([Type.String(), Type.Null()]),
  latencyMs: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastAttemptAt: NullableDate,
  nextAttemptAt: NullableDate,
  createdAt: DateTime,
});

const Page = <T extends ReturnType<typeof Type.Object>>(item: T) => Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
const ListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })), cursor: Type.Optional(Type.String({ maxLength: 400 })) },
  { additionalProperties: false },
);

const endpointToWire = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  clientId: e.clientId,
  format: e.format,
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

const deliveryToWire = (d: WebhookDelivery) => ({
  id: d.id,
  endpointId: d.endpointId,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  responseStatus: d.responseStatus,
  responseBody: d.responseBody,
  latencyMs: d.latencyMs,
  lastError: d.lastError,
  lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
  nextAttemptAt: d.status === 'pending' || d.status === 'waiting_secret' ? d.nextAttemptAt.toISOString() : null,
  createdAt: d.createdAt.toISOString(),
});

const optional = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function registerWebhookRoutes(app: App, ctx: AuthContext): void {
  app.post(
    '/v1/webhook-endpoints',
    {
      schema: {
        tags,
        summary: 'Create a webhook endpoint',
        body: Type.Object(
          {
            url: Url,
            events: Type.Optional(Type.Union([Events, Type.Null()])),
            clientId: Type.Optional(Type.Union([Uuid, Type.Null()])),
            format: Type.Optional(Format),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: Endpoint, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      return replyCreated(ctx, request, reply, async (ctx) => endpointToWire(await createEndpoint(ctx, request.principal, { ...optional(request.body), url: request.body.url })));
    },
  );

  app.get('/v1/webhook-endpoints', { schema: { tags, summary: 'List webhook endpoints', querystring: ListQuery, response: { 200: Page(Endpoint), ...ErrorResponses } } }, async (request) => {
    const page = await listEndpoints(ctx, request.principal, { limit: request.query.limit ?? 20, ...optional({ cursor: request.query.cursor }) });
    return { data: page.data.map(endpointToWire), nextCursor: page.nextCursor };
  });

  app.get('/v1/webhook-endpoints/:id', { schema: { tags, summary: 'Get a webhook endpoint', params: IdParams, response: { 200: Endpoint, ...ErrorResponses } } }, async (request) =>
    endpointToWire(await getEndpoint(ctx, request.principal, request.params.id)),
  );

  app.patch(
    '/v1/webhook-endpoints/:id',
    {
      schema: {
        tags,
        summary: 'Update a webhook endpoint (enabling it again clears its failure state)',
        params: IdParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            events: Type.Optional(Type.Union([Events, Type.Null()])),
            clientId: Type.Optional(Type.Union([Uuid, Type.Null()])),
            format: Type.Optional(Format),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Endpoint, ...ErrorResponses },
      },
    },
    async (request) => endpointToWire(await updateEndpoint(ctx, request.principal, request.params.id, optional(request.body))),
  );

  app.delete('/v1/webhook-endpoints/:id', { schema: { tags, summary: 'Delete a webhook endpoint', params: IdParams, response: { 204: Type.Null(), ...ErrorResponses } } }, async (request, reply) => {
    await deleteEndpoint(ctx, request.principal, request.params.id);
    return reply.code(204).send(null);
  });

  app.get(
    '/v1/webhook-endpoints/:id/deliveries',
    { schema: { tags, summary: "An endpoint's delivery log, newest first", params: IdParams, querystring: ListQuery, response: { 200: Page(Delivery), ...ErrorResponses } } },
    async (request) => {
      const page = await listDeliveries(ctx, request.principal, request.params.id, { limit: request.query.limit ?? 20, ...optional({ cursor: request.query.cursor }) });
      return { data: page.data.map(deliveryToWire), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/webhook-endpoints/:id/test',
    { schema: { tags, summary: 'Send a webhook.test event to this endpoint only', params: IdParams, response: { 202: Delivery, ...ErrorResponses } } },
    async (request, reply) => reply.code(202).send(deliveryToWire(await sendTestEvent(ctx, request.principal, request.params.id))),
  );

  app.post('/v1/deliveries/:id/redeliver', { schema: { tags, summary: 'Send a delivery again now', params: IdParams, response: { 202: Delivery, ...ErrorResponses } } }, async (request, reply) =>
    reply.code(202).send(deliveryToWire(await redeliver(ctx, request.principal, request.params.id))),
  );

  app.post(
    '/v1/webhook-secret/generate',
    {
      config: { optionalBody: true },
      schema: {
        tags,
        summary: "Generate (or replace) the account's default webhook secret — shown only in this response",
        body: Type.Optional(
          Type.Object(
            { gracePeriodSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800, description: 'Keep signing with the replaced secret too for this long' })) },
            { additionalProperties: false },
          ),
        ),
        response: { 200: Type.Object({ webhookSecret: Type.String(), createdAt: DateTime }), ...ErrorResponses },
      },
    },
    async (request) => {
      const body = request.body as { gracePeriodSeconds?: number } | undefined;
      const { secret, createdAt } = await generateAccountWebhookSecret(ctx, request.principal, body?.gracePeriodSeconds ?? 0);
      return { webhookSecret: secret, createdAt: createdAt.toISOString() };
    },
  );

  app.get(
    '/v1/webhook-secret/status',
    { schema: { tags, summary: 'Whether the account has a default webhook secret', response: { 200: Type.Object({ hasSecret: Type.Boolean(), createdAt: NullableDate }), ...ErrorResponses } } },
    async (request) => {
      const s = await getAccountWebhookSecretStatus(ctx, request.principal);
      return { hasSecret: s.hasSecret, createdAt: s.createdAt?.toISOString() ?? null };
    },
  );

  app.delete('/v1/webhook-secret', { schema: { tags, summary: "Delete the account's default webhook secret", response: { 204: Type.Null(), ...ErrorResponses } } }, async (request, reply) => {
    await deleteAccountWebhookSecret(ctx, request.principal);
    return reply.code(204).send(null);
  });
}
