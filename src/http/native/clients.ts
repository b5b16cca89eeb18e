/** `/v1/clients`: thin translations onto src/core/clients.ts. */
import { Type } from 'typebox';
import type { AuthContext } from '../../core/auth.js';
import type { Principal } from '../../core/types.js';
import { type ClientInput, createClient, createClients, deleteClient, getClient, listClients, setClientActive, updateClient } from '../../core/clients.js';
import { AppError, invalidField } from '../../core/errors.js';
import type { App } from '../types.js';
import { type BatchItem, type ItemResult, replyCreated, replyOnce, withItemIdempotency } from '../idempotency.js';
import { toProblem } from '../problem.js';
import { bodyChecker, envelopeValidator } from '../validation.js';
import { clientToWire } from './mappers.js';
import { Client, ClientBatchCreate, ClientBatchEnvelope, ClientBatchResults, ClientCreate, ClientListQuery, ClientPage, ClientUpdate, ErrorResponses, IdParams } from './schemas.js';

const tags = ['clients'];

/** A batch item is checked against ClientCreate on its own: the errors a single create would have answered. */
const checkClientCreate = bodyChecker(ClientCreate);
const checkBatchEnvelope = envelopeValidator(ClientBatchEnvelope);

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

  app.post(
    '/v1/clients/batch',
    {
      schema: {
        tags,
        summary: 'Create many clients at once (each item answered on its own)',
        description:
          "Up to 1,000 clients in one transaction. Each item is validated and answered on its own, in `results` (same order): 201 with the client, or the problem a single `POST /v1/clients` of that item would have answered (`error`, its field named in `errors`) — an invalid item stops no other. The answer is 200 whenever the batch itself was valid, whatever its items' outcomes; an error of the batch as a whole (its envelope, permission, a database failure) is a problem answer and creates nothing. An Idempotency-Key header replays the whole answer; `idempotencyKeys` gives each item its own key.",
        body: ClientBatchCreate,
        response: { 200: ClientBatchResults, ...ErrorResponses },
      },
      // The route checks the envelope; each item is checked in the handler, on its own.
      validatorCompiler: () => checkBatchEnvelope,
    },
    async (request, reply) => replyOnce(ctx, request, reply, 200, async (ctx) => ({ results: await createClientBatch(ctx, request.principal, request.body) })),
  );

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

/** POST /v1/clients/batch: items checked on their own, keyed items created once per key, the rest by the core's batch create. */
async function createClientBatch(ctx: AuthContext, principal: Principal, body: { items: unknown[]; idempotencyKeys?: Array<string | null> | undefined }) {
  const { items, idempotencyKeys: keys } = body;
  if (keys && keys.length !== items.length) throw invalidField('body.idempotencyKeys', `must hold one key (or null) per item: ${items.length}`);
  const results: ItemResult[] = new Array(items.length);
  const valid: number[] = [];
  items.forEach((item, i) => {
    const errors = checkClientCreate(item);
    if (!errors) valid.push(i);
    else results[i] = { error: new AppError('VALIDATION_FAILED', `${errors[0]!.field}: ${errors[0]!.message}`, errors) };
  });
  const batch: BatchItem[] = valid.map((i) => ({ body: items[i], key: keys?.[i] }));
  const answers = await withItemIdempotency(ctx, principal, 'POST /v1/clients', batch, async (c, fresh) =>
    (
      await createClients(
        c,
        principal,
        fresh.map((item) => item.body as ClientInput),
      )
    ).map((r): ItemResult => (r.client ? { status: 201, body: clientToWire(r.client) } : { error: r.error })),
  );
  for (const [n, i] of valid.entries()) results[i] = answers[n]!;
  return results.map((r, index) =>
    r.error ? { index, status: r.error.status, error: toProblem(r.error) } : { index, status: r.status, ...(r.replayed ? { replayed: true } : {}), client: r.body as ReturnType<typeof clientToWire> },
  );
}
