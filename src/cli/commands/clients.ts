/** `clientele clients …`: list, get, create, update, delete, activate, deactivate, import, export. */
import type { Client, ClientCreate, ClientListParams, ClientUpdate } from '../../../sdk/src/index.js';
import { importCommand } from './clients-import.js';
import { exportCommand } from './clients-export.js';
import { deleteCommand, getCommand, IDEMPOTENCY_HELP, IDEMPOTENCY_OPTION, idempotencyOf, type CommandSpec, type GroupSpec } from './command.js';
import { date, listLimit, printList, printOne, type Column } from './output.js';
import { EXIT, jsonOption, positionals, RATELIMIT_HELP, rateLimitOptions, UsageError, type Options, type Values } from './shared.js';

const COLUMNS: Column<Client>[] = [
  { header: 'ID', value: (c) => c.id, max: 36 },
  { header: 'NAME', value: (c) => c.name, max: 40 },
  { header: 'USERNAME', value: (c) => c.username, max: 24 },
  { header: 'EMAIL', value: (c) => c.emailAddress, max: 32 },
  { header: 'ACTIVE', value: (c) => (c.isActive ? 'yes' : 'no') },
  { header: 'CREATED', value: (c) => date(c.createdAt) },
];

/** Flags that set one string field; `--unset FIELD` sets it to null. */
const STRING_FIELDS = {
  name: 'name',
  description: 'description',
  siret: 'siret',
  username: 'username',
  email: 'emailAddress',
  'first-name': 'firstName',
  'last-name': 'lastName',
  company: 'company',
  password: 'password',
  'password-hash': 'passwordHash',
} as const;
const JSON_FIELDS = ['features', 'limits', 'metadata'] as const;
const NULLABLE = ['description', 'siret', 'username', 'emailAddress', 'firstName', 'lastName', 'company'];

const FIELD_OPTIONS: Options = {
  ...Object.fromEntries(Object.keys(STRING_FIELDS).map((flag) => [flag, { type: 'string' as const }])),
  ...Object.fromEntries(JSON_FIELDS.map((flag) => [flag, { type: 'string' as const }])),
  ratelimit: { type: 'string', multiple: true },
  active: { type: 'boolean' },
  inactive: { type: 'boolean' },
  data: { type: 'string' },
};

const FIELD_HELP = `Fields:
  --name NAME              Display name (required unless company, first/last name or username is given)
  --description TEXT       --siret 14DIGITS        --username NAME        --email ADDRESS
  --first-name NAME        --last-name NAME        --company NAME
  --password SECRET        --password-hash BCRYPT  (write-only)
  --features JSON          --limits JSON           --metadata JSON        (objects, e.g. --limits '{"calls":-1}')
  --active | --inactive
${RATELIMIT_HELP}
  --data JSON              A whole request body; the flags above override its fields`;

function activeFlag(values: Values): boolean | undefined {
  if (values.active && values.inactive) throw new UsageError('--active and --inactive exclude each other');
  return values.active ? true : values.inactive ? false : undefined;
}

/** Builds a create/update body from the field flags. */
function bodyFrom(values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = { ...jsonOption('data', values.data as string | undefined) };
  for (const [flag, field] of Object.entries(STRING_FIELDS)) if (values[flag] !== undefined) body[field] = values[flag];
  for (const field of JSON_FIELDS) {
    const v = jsonOption(field, values[field] as string | undefined);
    if (v !== undefined) body[field] = v;
  }
  const ratelimits = rateLimitOptions(values.ratelimit as string[] | undefined);
  if (ratelimits !== undefined) body.ratelimits = ratelimits;
  const active = activeFlag(values);
  if (active !== undefined) body.isActive = active;
  return body;
}

const list: CommandSpec = {
  name: 'list',
  summary: 'List clients (search and filters)',
  usage: 'clients list [--search TEXT] [--username U] [--email E] [--active|--inactive] [--limit N | --all]',
  help: `Options:
  --search TEXT   Substring of name, username, e-mail or company
  --username U    Exact username
  --email E       Exact e-mail address
  --active        Only active clients (--inactive: only deactivated ones)
  --limit N       Show at most N clients (default 50)
  --all           Show every client (follows all pages)`,
  options: {
    search: { type: 'string' },
    username: { type: 'string' },
    email: { type: 'string' },
    active: { type: 'boolean' },
    inactive: { type: 'boolean' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
  },
  async run(ctx, values, args) {
    positionals(args, []);
    const max = listLimit(values);
    const active = activeFlag(values);
    const params: ClientListParams = {
      limit: Math.min(100, max),
      ...(values.search !== undefined ? { q: values.search as string } : {}),
      ...(values.username !== undefined ? { username: values.username as string } : {}),
      ...(values.email !== undefined ? { emailAddress: values.email as string } : {}),
      ...(active !== undefined ? { isActive: active } : {}),
    };
    return printList(ctx, ctx.sdk().clients.list(params).pages(), max, COLUMNS, 'clients');
  },
};

const get = getCommand({
  summary: 'Show one client',
  usage: 'clients get ID',
  help: 'Prints every field of the client (its password is never returned).',
  id: 'id',
  fetch: (ctx, id) => ctx.sdk().clients.get(id),
});

const create: CommandSpec = {
  name: 'create',
  summary: 'Create a client',
  usage: 'clients create --name NAME [fields] [--idempotency-key KEY]',
  help: `${FIELD_HELP}\n${IDEMPOTENCY_HELP}`,
  options: { ...FIELD_OPTIONS, ...IDEMPOTENCY_OPTION },
  async run(ctx, values, args) {
    positionals(args, []);
    const body = bodyFrom(values) as ClientCreate;
    if (Object.keys(body).length === 0) throw new UsageError('nothing to create: give at least --name');
    const client = await ctx.sdk().clients.create(body, idempotencyOf(values));
    printOne(ctx, client);
    return EXIT.OK;
  },
};

const update: CommandSpec = {
  name: 'update',
  summary: 'Change some fields of a client',
  usage: 'clients update ID [fields] [--unset FIELD]…',
  help: `${FIELD_HELP}
  --unset FIELD            Clear a field (description, siret, username, emailAddress, firstName, lastName, company); repeatable

Fields not given are left unchanged.`,
  options: { ...FIELD_OPTIONS, unset: { type: 'string', multiple: true } },
  async run(ctx, values, args) {
    const [id] = positionals(args, ['id']);
    const body = bodyFrom(values);
    for (const field of (values.unset as string[] | undefined) ?? []) {
      if (!NULLABLE.includes(field)) throw new UsageError(`--unset: ${JSON.stringify(field)} cannot be cleared (one of ${NULLABLE.join(', ')})`);
      body[field] = null;
    }
    if (Object.keys(body).length === 0) throw new UsageError('nothing to update: give at least one field');
    printOne(ctx, await ctx.sdk().clients.update(id!, body as ClientUpdate));
    return EXIT.OK;
  },
};

const remove = deleteCommand({
  summary: 'Delete a client with its keys and secrets',
  usage: 'clients delete ID',
  help: 'The client, its API keys, integrations and data key are deleted; this cannot be undone.',
  id: 'id',
  idField: 'id',
  noun: 'Client',
  remove: (ctx, id) => ctx.sdk().clients.delete(id),
});

function setActive(active: boolean): CommandSpec {
  return {
    name: active ? 'activate' : 'deactivate',
    summary: active ? 'Activate a client' : 'Deactivate a client (its keys and tokens stop working at once)',
    usage: `clients ${active ? 'activate' : 'deactivate'} ID`,
    help: active ? 'Its keys work again.' : 'Its keys and access tokens are refused until it is activated again.',
    options: {},
    async run(ctx, _values, args) {
      const [id] = positionals(args, ['id']);
      const sdk = ctx.sdk();
      const client = active ? await sdk.clients.activate(id!) : await sdk.clients.deactivate(id!);
      printOne(ctx, client, `Client ${client.id} (${client.name}) is ${client.isActive ? 'active' : 'inactive'}.\n`);
      return EXIT.OK;
    },
  };
}

export const clientsGroup: GroupSpec = {
  name: 'clients',
  summary: 'Manage clients (the customer sub-accounts) on a Clientele server.',
  commands: [list, get, create, update, remove, setActive(true), setActive(false), importCommand, exportCommand],
};
