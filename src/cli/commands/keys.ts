/** `clientele keys …`: list, get, create, reset, delete, verify. */
import type { ApiKey, IssuedKey, KeyCreate, VerifyRequest } from '../../../sdk/src/index.js';
import { deleteCommand, getCommand, IDEMPOTENCY_HELP, IDEMPOTENCY_OPTION, idempotencyOf, type CommandSpec, type GroupSpec } from './command.js';
import { date, details, listLimit, printList, printOne, type Column } from './output.js';
import { EXIT, intOption, positionals, RATELIMIT_HELP, rateLimitOptions, UsageError } from './shared.js';

const COLUMNS: Column<ApiKey>[] = [
  { header: 'KEY ID', value: (k) => k.keyId, max: 25 },
  { header: 'NAME', value: (k) => k.name, max: 30 },
  { header: 'CLIENT', value: (k) => k.clientId ?? '(account)', max: 36 },
  { header: 'PRIMARY', value: (k) => (k.isPrimary ? 'yes' : 'no') },
  { header: 'ENABLED', value: (k) => (k.enabled ? 'yes' : 'no') },
  { header: 'HINT', value: (k) => `…${k.hint}` },
  { header: 'EXPIRES', value: (k) => date(k.expiresAt) },
  { header: 'LAST USED', value: (k) => date(k.lastUsedAt) },
];

/** The secret is shown once: say so, and put the token where a human sees it first. */
function issued(k: IssuedKey, verb: string): string {
  return `${verb} key ${k.key.keyId}${k.key.clientId ? ` for client ${k.key.clientId}` : ''}.\n\nToken (shown only now; use it as X-API-Key):\n  ${k.token}\n\n${details({ secret: k.secret, ...k.key })}`;
}

const list: CommandSpec = {
  name: 'list',
  summary: 'List API keys (of the account, or of one client)',
  usage: 'keys list [--client ID] [--owner account|client] [--limit N | --all]',
  help: `Options:
  --client ID              Only the keys of this client
  --owner account|client   Only account keys, or only client keys
  --limit N                Show at most N keys (default 50)
  --all                    Show every key`,
  options: { client: { type: 'string' }, owner: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' } },
  async run(ctx, values, args) {
    positionals(args, []);
    const owner = values.owner as string | undefined;
    if (owner !== undefined && owner !== 'account' && owner !== 'client') throw new UsageError('--owner must be account or client');
    const max = listLimit(values);
    const params = { limit: Math.min(100, max), ...(values.client ? { clientId: values.client as string } : {}), ...(owner ? { owner: owner as 'account' | 'client' } : {}) };
    return printList(ctx, ctx.sdk().keys.list(params).pages(), max, COLUMNS, 'keys');
  },
};

const get = getCommand({
  summary: 'Show one API key (never its secret)',
  usage: 'keys get KEY_ID',
  help: 'KEY_ID looks like ck_… (the token carries it after clt_).',
  id: 'key_id',
  fetch: (ctx, keyId) => ctx.sdk().keys.get(keyId),
});

const create: CommandSpec = {
  name: 'create',
  summary: 'Create an API key (its token is shown once)',
  usage: 'keys create [--client ID] [--name NAME] [--primary] [--expires-at TIME] [--scope S]… [--permission P]… [--ratelimit NAME=LIMIT/DURATION[,auto]]… [--idempotency-key KEY]',
  help: `Options:
  --client ID              A key of this client (default: an account key)
  --name NAME              A label
  --primary                Make it the owner's primary key
  --expires-at TIME        RFC 3339 time after which the key stops working
  --scope S                An application scope, returned by verify; repeatable
  --permission P           A management permission of an account key, e.g. keys:verify or
                           clients:read; repeatable (default: those of the key you use)
${RATELIMIT_HELP}
${IDEMPOTENCY_HELP}`,
  options: {
    client: { type: 'string' },
    name: { type: 'string' },
    primary: { type: 'boolean' },
    'expires-at': { type: 'string' },
    scope: { type: 'string', multiple: true },
    permission: { type: 'string', multiple: true },
    ratelimit: { type: 'string', multiple: true },
    ...IDEMPOTENCY_OPTION,
  },
  async run(ctx, values, args) {
    positionals(args, []);
    const expiresAt = values['expires-at'] as string | undefined;
    if (expiresAt !== undefined && Number.isNaN(Date.parse(expiresAt))) throw new UsageError('--expires-at must be a date-time, e.g. 2030-01-01T00:00:00Z');
    const body: KeyCreate = {
      ...(values.client ? { clientId: values.client as string } : {}),
      ...(values.name ? { name: values.name as string } : {}),
      ...(values.primary ? { isPrimary: true } : {}),
      ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
      ...(values.scope ? { scopes: values.scope as string[] } : {}),
      // Unknown names are refused by the server, which names the one it does not know.
      ...(values.permission ? { permissions: values.permission as KeyCreate['permissions'] } : {}),
      ...(values.ratelimit ? { ratelimits: rateLimitOptions(values.ratelimit as string[]) } : {}),
    };
    const k = await ctx.sdk().keys.create(body, idempotencyOf(values));
    printOne(ctx, k, issued(k, 'Created'));
    return EXIT.OK;
  },
};

const reset: CommandSpec = {
  name: 'reset',
  summary: 'Issue a new secret for a key (the old one may keep working for a while)',
  usage: 'keys reset KEY_ID [--grace SECONDS]',
  help: `Options:
  --grace SECONDS   Keep the old secret valid this long (default 0, at most 604800)`,
  options: { grace: { type: 'string' } },
  async run(ctx, values, args) {
    const [keyId] = positionals(args, ['key_id']);
    const grace = intOption('grace', values.grace as string | undefined, 0, 0, 604_800);
    const k = await ctx.sdk().keys.reset(keyId!, { gracePeriodSeconds: grace });
    printOne(ctx, k, issued(k, 'Reset'));
    return EXIT.OK;
  },
};

const remove = deleteCommand({
  summary: 'Delete an API key (not a primary key)',
  usage: 'keys delete KEY_ID',
  help: 'The key stops working at once.',
  id: 'key_id',
  idField: 'keyId',
  noun: 'Key',
  remove: (ctx, keyId) => ctx.sdk().keys.delete(keyId),
});

const verify: CommandSpec = {
  name: 'verify',
  summary: 'Check whether a key is valid (exit 0 if it is, 7 if not)',
  usage: 'keys verify TOKEN | - | --key-id ID --secret SECRET [--dimension D]',
  help: `Verifies a token (clt_…), or a key id and secret. "-" reads the token from stdin, which
keeps it out of the process list and the shell history.

Options:
  --key-id ID --secret SECRET   Verify this pair instead of a token
  --dimension D                 Count the call under this dimension of the client's usage

Prints the outcome code: VALID, NOT_FOUND (also for a wrong secret), EXPIRED, DISABLED,
CLIENT_INACTIVE, USAGE_EXCEEDED or RATE_LIMITED.`,
  options: { 'key-id': { type: 'string' }, secret: { type: 'string' }, dimension: { type: 'string' } },
  async run(ctx, values, args) {
    let body: VerifyRequest;
    const dimension = values.dimension ? { dimension: values.dimension as string } : {};
    if (values['key-id'] !== undefined || values.secret !== undefined) {
      positionals(args, []);
      if (!values['key-id'] || !values.secret) throw new UsageError('--key-id and --secret go together');
      body = { keyId: values['key-id'] as string, secret: values.secret as string, ...dimension };
    } else {
      let [token] = positionals(args, ['token']);
      if (token === '-') {
        let text = '';
        for await (const chunk of ctx.io.stdin) text += String(chunk);
        token = text.trim();
      }
      if (!token) throw new UsageError('the token is empty');
      body = { token, ...dimension };
    }
    const result = await ctx.sdk().keys.verify(body);
    if (ctx.json) ctx.out(JSON.stringify(result));
    else if (result.code === 'RATE_LIMITED')
      ctx.out(
        `RATE_LIMITED: ${result.ratelimits
          .filter((r) => r.exceeded)
          .map((r) => `${r.name} is used up until ${new Date(r.reset).toISOString()}`)
          .join('; ')}`,
      );
    else ctx.out(result.valid ? `VALID: key ${result.keyId}${result.clientId ? ` of client ${result.clientId}` : ' (account key)'}` : `${result.code}: the key is not valid`);
    return result.valid ? EXIT.OK : EXIT.INVALID_KEY;
  },
};

export const keysGroup: GroupSpec = {
  name: 'keys',
  summary: 'Manage API keys on a Clientele server.',
  commands: [list, get, create, reset, remove, verify],
};
