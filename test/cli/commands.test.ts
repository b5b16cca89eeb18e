/**
 * `clientele clients|keys|events …` spawned as real processes against a real server
 * (in-process, listening on 127.0.0.1:0): tables by default, --json for scripts, and the
 * documented exit codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Clientele } from '../../sdk/src/index.js';
import { runCli, startCli, startCliServer, until, type CliServer } from '../support/cli.js';

describe('clientele remote commands', () => {
  let s: CliServer;
  let cli: (args: string[], stdin?: string) => ReturnType<typeof runCli>;
  let sdk: Clientele;

  before(async () => {
    s = await startCliServer('embedded');
    cli = (args, stdin) => runCli(args, s.env, stdin);
    sdk = new Clientele({ baseUrl: s.url, apiKey: s.acc.token });
  });
  after(() => s.close());

  it('clients create / get / update / list / deactivate / activate / delete', async () => {
    const created = await cli(['clients', 'create', '--name', 'Acme Corp', '--username', 'acme', '--email', 'ops@acme.test', '--limits', '{"calls":-1}', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const client = JSON.parse(created.stdout) as { id: string; name: string; limits: Record<string, number> };
    assert.equal(client.name, 'Acme Corp');
    assert.deepEqual(client.limits, { calls: -1 });

    const [human, got, updated] = await Promise.all([
      cli(['clients', 'create', '--name', 'Beta', '--company', 'Beta GmbH', '--idempotency-key', 'beta-1']),
      cli(['clients', 'get', client.id, '--json']),
      cli(['clients', 'update', client.id, '--description', 'Key account', '--unset', 'emailAddress', '--json']),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^id: +[0-9a-f-]{36}$/m);
    assert.match(human.stdout, /^company: +Beta GmbH$/m);
    assert.equal((JSON.parse(got.stdout) as { id: string }).id, client.id);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual((({ description, emailAddress }) => ({ description, emailAddress }))(JSON.parse(updated.stdout) as Record<string, unknown>), { description: 'Key account', emailAddress: null });

    const [table, json, search, limited] = await Promise.all([
      cli(['clients', 'list']),
      cli(['clients', 'list', '--json', '--all']),
      cli(['clients', 'list', '--search', 'acme', '--json']),
      cli(['clients', 'list', '--limit', '1']),
    ]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^ID +NAME +USERNAME +EMAIL +ACTIVE +CREATED$/m);
    assert.match(table.stdout, /Acme Corp +acme +- +yes/);
    assert.deepEqual((JSON.parse(json.stdout) as Array<{ name: string }>).map((c) => c.name).sort(), ['Acme Corp', 'Beta']);
    assert.deepEqual(
      (JSON.parse(search.stdout) as Array<{ id: string }>).map((c) => c.id),
      [client.id],
    );
    assert.equal(limited.stdout.trim().split('\n').length, 2, 'header + 1 row');
    assert.match(limited.stderr, /first 1 clients shown; use --limit N or --all/);

    const off = await cli(['clients', 'deactivate', client.id]);
    assert.match(off.stdout, /is inactive/);
    const inactive = await cli(['clients', 'list', '--inactive', '--json']);
    assert.deepEqual(
      (JSON.parse(inactive.stdout) as Array<{ id: string }>).map((c) => c.id),
      [client.id],
    );
    assert.match((await cli(['clients', 'activate', client.id])).stdout, /is active/);

    const deleted = await cli(['clients', 'delete', client.id]);
    assert.equal(deleted.code, 0);
    assert.match(deleted.stdout, /deleted/);
    const gone = await cli(['clients', 'get', client.id]);
    assert.equal(gone.code, 3, 'not found');
    assert.match(gone.stderr, /CLIENT_NOT_FOUND \(HTTP 404\)/);
  });

  it('exit codes: 6 for invalid input (with the field), 4 for bad credentials, 1 when the server is unreachable', async () => {
    const [invalid, taken, badToken, jwtLike, down] = await Promise.all([
      cli(['clients', 'create', '--name', 'Bad', '--siret', '123']),
      (async () => {
        await cli(['clients', 'create', '--name', 'Unique', '--username', 'only-one']);
        return cli(['clients', 'create', '--name', 'Dup', '--username', 'only-one']);
      })(),
      runCli(['clients', 'list'], { ...s.env, CLIENTELE_TOKEN: 'clt_wrong' }),
      runCli(['clients', 'list'], { ...s.env, CLIENTELE_TOKEN: 'not.a.jwt' }),
      runCli(['clients', 'list'], { CLIENTELE_URL: 'http://127.0.0.1:1', CLIENTELE_TOKEN: 'clt_x' }),
    ]);
    assert.equal(invalid.code, 6);
    assert.match(invalid.stderr, /VALIDATION_FAILED \(HTTP 400\)/);
    assert.match(invalid.stderr, /^ {2}body\.siret: /m);
    assert.equal(taken.code, 6);
    assert.match(taken.stderr, /USERNAME_TAKEN/);
    assert.equal(badToken.code, 4);
    assert.match(badToken.stderr, /UNAUTHENTICATED/);
    assert.equal(jwtLike.code, 4, 'a non-clt_ token is sent as a Bearer token');
    assert.equal(down.code, 1);
    assert.match(down.stderr, /CONNECTION_FAILED/);
  });

  it('--url and --token override the environment; an access token works as CLIENTELE_TOKEN', async () => {
    const login = await s.t.app.inject({ method: 'POST', url: '/api/token/', payload: { username: s.acc.email, password: s.acc.password } });
    const access = (login.json() as { access: string }).access;
    const [flags, bearer] = await Promise.all([
      runCli(['clients', 'list', '--url', s.url, '--token', s.acc.token, '--json'], { CLIENTELE_URL: 'http://127.0.0.1:1', CLIENTELE_TOKEN: undefined }),
      runCli(['clients', 'list', '--json'], { CLIENTELE_URL: s.url, CLIENTELE_TOKEN: access }),
    ]);
    assert.equal(flags.code, 0, flags.stderr);
    assert.equal(bearer.code, 0, bearer.stderr);
    assert.deepEqual(JSON.parse(flags.stdout), JSON.parse(bearer.stdout));
  });

  it('--ratelimit sets limits on keys and clients; verify reports RATE_LIMITED and exits 7', async () => {
    const client = await cli(['clients', 'create', '--name', 'Limited by CLI', '--ratelimit', 'calls=1000/1h', '--json']);
    assert.equal(client.code, 0, client.stderr);
    const c = JSON.parse(client.stdout) as { id: string; ratelimits: unknown[] };
    assert.deepEqual(c.ratelimits, [{ name: 'calls', limit: 1000, duration: 3_600_000, autoApply: false }]);
    const cleared = await cli(['clients', 'update', c.id, '--ratelimit', 'none', '--json']);
    assert.deepEqual((JSON.parse(cleared.stdout) as { ratelimits: unknown[] }).ratelimits, []);
    const created = await cli(['keys', 'create', '--client', c.id, '--ratelimit', 'burst=1/1m,auto', '--ratelimit', 'daily=500/1d', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { token: string; key: { ratelimits: unknown[] } };
    assert.deepEqual(key.key.ratelimits, [
      { name: 'burst', limit: 1, duration: 60_000, autoApply: true },
      { name: 'daily', limit: 500, duration: 86_400_000, autoApply: false },
    ]);
    assert.equal((await cli(['keys', 'verify', key.token])).code, 0);
    const limited = await cli(['keys', 'verify', key.token]);
    assert.equal(limited.code, 7);
    assert.match(limited.stdout, /^RATE_LIMITED: burst is used up until \d{4}-/);
    const bad = await cli(['keys', 'create', '--ratelimit', 'burst=fast']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--ratelimit must be NAME=LIMIT\/DURATION/);
  });

  it('keys create / list / get / verify (argument and stdin) / reset / delete', async () => {
    const client = await sdk.clients.create({ name: 'Keyed' });
    const created = await cli(['keys', 'create', '--client', client.id, '--name', 'prod', '--scope', 'read', '--scope', 'write', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { token: string; secret: string; key: { keyId: string; scopes: string[] } };
    assert.deepEqual(key.key.scopes, ['read', 'write']);
    const human = await cli(['keys', 'create', '--client', client.id, '--name', 'staging']);
    assert.match(human.stdout, /Token \(shown only now; use it as X-API-Key\):\n {2}clt_/);
    const stagingId = /key (ck_\w+)/.exec(human.stdout)![1]!;

    const [table, json, got, valid, viaStdin, pair] = await Promise.all([
      cli(['keys', 'list', '--client', client.id]),
      cli(['keys', 'list', '--client', client.id, '--json']),
      cli(['keys', 'get', key.key.keyId, '--json']),
      cli(['keys', 'verify', key.token]),
      cli(['keys', 'verify', '-', '--json'], `${key.token}\n`),
      cli(['keys', 'verify', '--key-id', key.key.keyId, '--secret', key.secret, '--json']),
    ]);
    assert.match(table.stdout, /^KEY ID +NAME +CLIENT +PRIMARY +ENABLED +HINT +EXPIRES +LAST USED$/m);
    assert.match(table.stdout, new RegExp(`${key.key.keyId} +prod +${client.id}`));
    assert.deepEqual((JSON.parse(json.stdout) as Array<{ keyId: string }>).map((k) => k.keyId).sort(), [key.key.keyId, stagingId].sort());
    assert.equal((JSON.parse(got.stdout) as { name: string }).name, 'prod');
    assert.equal(valid.code, 0);
    assert.match(valid.stdout, new RegExp(`^VALID: key ${key.key.keyId} of client ${client.id}`));
    assert.equal(viaStdin.code, 0);
    assert.equal((JSON.parse(viaStdin.stdout) as { code: string }).code, 'VALID');
    assert.equal(pair.code, 0);

    const reset = await cli(['keys', 'reset', key.key.keyId, '--json']);
    assert.equal(reset.code, 0, reset.stderr);
    const newToken = (JSON.parse(reset.stdout) as { token: string }).token;
    const [oldOne, newOne] = await Promise.all([cli(['keys', 'verify', key.token]), cli(['keys', 'verify', newToken])]);
    assert.equal(oldOne.code, 7, 'an invalid key exits 7');
    assert.match(oldOne.stdout, /^NOT_FOUND: the key is not valid/);
    assert.equal(newOne.code, 0);

    const deleted = await cli(['keys', 'delete', stagingId]);
    assert.equal(deleted.code, 0);
    assert.equal((await cli(['keys', 'get', stagingId])).code, 3);
    const primary = await cli(['keys', 'delete', s.acc.keyId]);
    assert.equal(primary.code, 6, 'the primary key is protected (409)');
    assert.match(primary.stderr, /PRIMARY_KEY_PROTECTED/);
  });

  it('events list, and events tail: --since, filters, follows new events, Ctrl-C exits 0', async () => {
    await sdk.clients.create({ name: 'Before tail' });
    const listed = await cli(['events', 'list', '--type', 'client.created', '--json', '--all']);
    assert.equal(listed.code, 0);
    assert.ok((JSON.parse(listed.stdout) as Array<{ type: string }>).every((e) => e.type === 'client.created'));
    const table = await cli(['events', 'list', '--limit', '3']);
    assert.match(table.stdout, /^TIME +TYPE +CLIENT +ACTOR +ID$/m);

    const fresh = startCli(['events', 'tail', '--json', '--type', 'client.created', '--interval', '50'], s.env);
    const replay = startCli(['events', 'tail', '--since', 'beginning', '--interval', '50'], s.env);
    const recent = startCli(['events', 'tail', '--since', '10m', '--json', '--interval', '50'], s.env);
    await until('the tails to start', () => replay.stdout().includes('Before tail') && recent.stdout().includes('Before tail'));
    await new Promise((r) => setTimeout(r, 1500)); // the fresh tail is polling by now
    await sdk.clients.create({ name: 'During tail' });
    await sdk.keys.create({ name: 'not a client event' });
    await until('the new event', () => fresh.stdout().includes('During tail') && replay.stdout().includes('During tail'));
    for (const p of [fresh, replay, recent]) p.child.kill('SIGINT');
    const [a, b, c] = await Promise.all([fresh.exited, replay.exited, recent.exited]);
    for (const r of [a, b, c]) assert.equal(r.code, 0, `Ctrl-C exits 0: ${r.stderr}`);
    const lines = a.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { client: { name: string } } });
    assert.deepEqual(
      lines.map((e) => [e.type, e.data.client.name]),
      [['client.created', 'During tail']],
      'only new events of the type',
    );
    assert.match(b.stdout, /account\.created/, 'beginning replays the whole log');
    assert.match(b.stdout, /key\.created/);
    assert.ok(
      c.stdout
        .trim()
        .split('\n')
        .every((l) => (JSON.parse(l) as { id: string }).id),
    );
  });
});
