/** `/v1/clients`: thin translations onto src/core/clients.ts. */
import { Type } from 'typebox';
import type { AuthContext } from '../../core/auth.js';
import { createClient, deleteClient, getClient, listClients, setClientActive, updateClient } from '../../core/clients.js';
import type { App } from '../types.js';
import { replyCreated } from '../idempotency.js';
import { clientToWire } from './mappers.js';
import { Client, ClientCreate, ClientListQuery, ClientPage, ClientUpdate, ErrorResponses, IdParams } from './schemas.js';

const tags = ['clients'];

export function registerClientRoutes(app: App, ctx: AuthContext): void {
  app.get(
    '/v1/clients',
    { schema: { tags, summary: 'List clients (cursor pagination, search and filters)', querystring: ClientListQuery, response: { 200: ClientPage, ...ErrorResponses } } },
    async (request) => {
      const q = request.query;
      const page = await listClients(ctx, request.principal, {
        limit: q.limit ?? 20,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        ...(q.q !== undefined ? { q: q.q } : {}),
        ...(q.username !== undefined ? { username: q.username } : {}),
        ...(q.emailAddress !== undefined ? { emailAddress: q.emailAddress } : {}),
        ...(q.isActive !== undefined ? { isActive: q.isActive } : {}),
      });
      return { data: page.data.map(clientToWire), nextCursor: page.nextCursor };
    },
  );

  app.post('/v1/clients', { schema: { tags, summary: 'Create a client', body: ClientCreate, response: { 201: Client, ...ErrorResponses } } }, async (request, reply) => {
    return replyCreated(ctx, request, reply, async (ctx) => clientToWire(await createClient(ctx, request.principal, request.body)));
  });

  app.get('/v1/clients/:id', { schema: { tags, summary: 'Get a client', params: IdParams, response: { 200: Client, ...ErrorResponses } } }, async (request) =>
    clientToWire(await getClient(ctx, request.principal, request.params.id)),
  );

  app.patch(
    '/v1/clients/:id',
    { schema: { tags, summary: 'Update a client (absent = unchanged, null = cleared)', params: IdParams, body: ClientUpdate, response: { 200: Client, ...ErrorResponses } } },
    async (request) => clientToWire(await updateClient(ctx, request.principal, request.params.id, request.body)),
  );

  app.delete(
    '/v1/clients/:id',
    { schema: { tags, summary: 'Delete a client, its keys and its data key', params: IdParams, response: { 204: Type.Null(), ...ErrorResponses } } },
    async (request, reply) => {
      await deleteClient(ctx, request.principal, request.params.id);
      return reply.code(204).send(null);
    },
  );

  for (const [action, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const) {
    app.post(
      `/v1/clients/:id/${action}`,
      {
        schema: {
          tags,
          summary: active ? 'Activate a client' : 'Deactivate a client (its keys and tokens stop working at once)',
          params: IdParams,
          response: { 200: Client, ...ErrorResponses },
        },
      },
      async (request) => clientToWire(await setClientActive(ctx, request.principal, request.params.id, active)),
    );
  }
}
