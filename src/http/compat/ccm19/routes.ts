/**
 * The CCM19 Hosting API, Client resource. Authenticated by an account key token in
 * `?apiKey=` (or the usual headers). Errors are the native problem+json (the vendor does
 * not document its own), with CCM19's status codes: 400 for invalid or missing
 * properties (a taken username included), 404 for unknown clients (a non-UUID id too).
 */
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { AuthContext } from '../../../core/auth.js';
import { requireAccountPrincipal } from '../../../core/access.js';
import { createClient, deleteClient, findClientByKeyToken, findClientByUsername, findClientByUsernameOrEmail, getClient, listClients, updateClient } from '../../../core/clients.js';
import { AppError } from '../../../core/errors.js';
import type { Client, Page, Principal } from '../../../core/types.js';
import { ALL_TIME, monthOf, usageRowsOf } from '../../../core/usage.js';
import { isUuid } from '../../../crypto/random.js';
import type { Surface } from '../../surfaces.js';
import type { App } from '../../types.js';
import type { ErrorWriter } from '../../errors.js';
import { writeProblem } from '../../errors.js';
import { CCM19_FEATURES, ccm19Client, ccm19Fields, ccm19Maps, ccm19ListItem, ccm19NewClient, usageFrom, type Ccm19Body } from './mappers.js';

/** CCM19 SDKs pass the account key token as `?apiKey=`. */
const config = { auth: { queryApiKey: true } } as const;
const hide = true;
const STREAM_BATCH = 500;

const Int = Type.Integer({ minimum: -1 });
const NullableString = Type.Union([Type.String({ maxLength: 255 }), Type.Null()]);
const ClientBody = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    passwordHash: Type.Optional(Type.String({ pattern: '^\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}$' })),
    active: Type.Optional(Type.Boolean()),
    firstName: Type.Optional(NullableString),
    lastName: Type.Optional(NullableString),
    emailAddress: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    company: Type.Optional(NullableString),
    domainMaxCount: Type.Optional(Int),
    whitelabelMaxCount: Type.Optional(Int),
    widgetDisplayMaxCount: Type.Optional(Int),
    autoCreateDomains: Type.Optional(Type.Boolean()),
    features: Type.Optional(Type.Object(Object.fromEntries(CCM19_FEATURES.map((f) => [f, Type.Optional(Type.Boolean())])), { additionalProperties: false })),
    // Read-only properties a client may send back unchanged from a GET; ignored.
    id: Type.Optional(Type.Unknown()),
    domainCount: Type.Optional(Type.Unknown()),
    whitelabelCount: Type.Optional(Type.Unknown()),
    widgetDisplayCount: Type.Optional(Type.Unknown()),
    actualCallCount: Type.Optional(Type.Unknown()),
    domainCountData: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ clientId: Type.String({ maxLength: 100 }) });

/** CCM19 answers 400 for a taken username ("username already in use"). */
const writeCcm19Error: ErrorWriter = (err, request, reply) =>
  writeProblem(err.code === 'USERNAME_TAKEN' ? new AppError('VALIDATION_FAILED', 'username already in use', [{ field: 'body.username', message: 'is already in use' }]) : err, request, reply);

async function usageOf(ctx: AuthContext, principal: Principal, clients: Client[]) {
  const month = monthOf(ctx.now());
  const rows = await usageRowsOf(
    ctx,
    principal,
    clients.map((c) => c.id),
    [ALL_TIME, month],
  );
  return usageFrom(rows, month);
}

async function one(ctx: AuthContext, principal: Principal, client: Client) {
  return ccm19Client(client, (await usageOf(ctx, principal, [client])).get(client.id));
}

/** A non-UUID id, or another account's client, is simply not found. */
async function findClient(ctx: AuthContext, principal: Principal, clientId: string): Promise<Client> {
  requireAccountPrincipal(principal);
  if (!isUuid(clientId)) throw new AppError('CLIENT_NOT_FOUND');
  return getClient(ctx, principal, clientId);
}

/**
 * Streams every client of the account as one JSON array, a keyset batch at a time. The
 * first batch is read before the answer starts, so a refusal is still a whole error answer.
 */
async function* streamClients(ctx: AuthContext, principal: Principal, first: Page<Client>): AsyncGenerator<string> {
  yield '[';
  let page = first;
  let separator = '';
  for (;;) {
    const usage = await usageOf(ctx, principal, page.data);
    let chunk = '';
    for (const c of page.data) {
      chunk += separator + JSON.stringify(ccm19ListItem(c, usage.get(c.id)));
      separator = ',';
    }
    if (chunk) yield chunk;
    if (!page.nextCursor) break;
    page = await listClients(ctx, principal, { limit: STREAM_BATCH, cursor: page.nextCursor });
  }
  yield ']';
}

function registerCcm19Routes(app: App, ctx: AuthContext): void {
  app.post('/hosting/api/client', { config, schema: { hide, body: ClientBody } }, async (request, reply) => {
    const client = await createClient(ctx, request.principal, ccm19NewClient(request.body as Ccm19Body));
    return reply
      .code(201)
      .type('application/json')
      .send(await one(ctx, request.principal, client));
  });

  app.get('/hosting/api/client', { config, schema: { hide } }, async (request, reply) => {
    const first = await listClients(ctx, request.principal, { limit: STREAM_BATCH });
    return reply.type('application/json').send(Readable.from(streamClients(ctx, request.principal, first)));
  });

  app.get('/hosting/api/client/:clientId', { config, schema: { hide, params: IdParams } }, async (request) =>
    one(ctx, request.principal, await findClient(ctx, request.principal, request.params.clientId)),
  );

  app.put('/hosting/api/client/:clientId', { config, schema: { hide, params: IdParams, body: ClientBody } }, async (request) => {
    requireAccountPrincipal(request.principal);
    if (!isUuid(request.params.clientId)) throw new AppError('CLIENT_NOT_FOUND');
    const b = request.body as Ccm19Body;
    // The limits and features maps are merged into the client as locked by the update's
    // transaction, not as read before it: concurrent PUTs of different keys keep them all.
    const updated = await updateClient(ctx, request.principal, request.params.clientId, ccm19Fields(b), (current) => ccm19Maps(b, current));
    return one(ctx, request.principal, updated);
  });

  app.delete('/hosting/api/client/:clientId', { config, schema: { hide, params: IdParams } }, async (request, reply) => {
    if (!isUuid(request.params.clientId)) throw new AppError('CLIENT_NOT_FOUND');
    await deleteClient(ctx, request.principal, request.params.clientId);
    return reply.code(204).send();
  });

  app.get('/hosting/api/client/by-username/:username', { config, schema: { hide, params: Type.Object({ username: Type.String({ maxLength: 255 }) }) } }, async (request) => {
    return one(ctx, request.principal, await findClientByUsername(ctx, request.principal, request.params.username));
  });

  app.get('/hosting/api/client/by-apiKey/:apiKey', { config, schema: { hide, params: Type.Object({ apiKey: Type.String({ maxLength: 512 }) }) } }, async (request) =>
    one(ctx, request.principal, await findClientByKeyToken(ctx, request.principal, request.params.apiKey)),
  );

  app.get('/hosting/api/clientgetid/:searchTerm', { config, schema: { hide, params: Type.Object({ searchTerm: Type.String({ maxLength: 255 }) }) } }, async (request) =>
    one(ctx, request.principal, await findClientByUsernameOrEmail(ctx, request.principal, request.params.searchTerm)),
  );
}

export const ccm19Surface: Surface = { name: 'ccm19', prefixes: ['/hosting/api/'], writeError: writeCcm19Error, routes: registerCcm19Routes };
