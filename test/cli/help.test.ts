/**
 * `--help` on every command and subcommand, usage errors (exit 2) — checked in-process over
 * every group, and through the real binary for the wiring.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { clientsGroup } from '../../src/cli/commands/clients.js';
import { eventsGroup } from '../../src/cli/commands/events.js';
import { runRemoteCommand } from '../../src/cli/commands/index.js';
import { keysGroup } from '../../src/cli/commands/keys.js';
import type { Io } from '../../src/cli/commands/shared.js';
import { runCli } from '../support/cli.js';

function memoryIo(env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (on: (s: string) => void) => {
    const s = new PassThrough();
    s.on('data', (d) => on(String(d)));
    return s;
  };
  const io: Io = { stdout: sink((d) => (stdout += d)), stderr: sink((d) => (stderr += d)), stdin: new PassThrough(), env };
  return { io, out: () => stdout, err: () => stderr };
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const m = memoryIo(env);
  const code = await runRemoteCommand(argv[0]!, argv.slice(1), m.io);
  await new Promise((r) => setImmediate(r));
  return { code, stdout: m.out(), stderr: m.err() };
}

const GROUPS = [clientsGroup, keysGroup, eventsGroup];

describe('clientele --help and usage errors', () => {
  for (const group of GROUPS) {
    it(`${group.name}: group help and --help on each of ${group.commands.map((c) => c.name).join(', ')}`, async () => {
      for (const flag of ['--help', '-h', 'help']) {
        const r = await run([group.name, flag]);
        assert.equal(r.code, 0);
        assert.match(r.stdout, new RegExp(`Usage: clientele ${group.name} <command>`));
        for (const c of group.commands) assert.ok(r.stdout.includes(`  ${c.name}`), `${group.name} help lists ${c.name}`);
      }
      for (const c of group.commands) {
        const r = await run([group.name, c.name, '--help'], {});
        assert.equal(r.code, 0, `${group.name} ${c.name} --help`);
        assert.ok(r.stdout.startsWith(`Usage: clientele ${group.name} ${c.name}`), r.stdout);
        assert.match(r.stdout, /Exit codes:/);
        assert.match(r.stdout, /--token TOKEN/);
        assert.equal(r.stderr, '', 'help needs no server and no token');
      }
    });
  }

  it('usage errors exit 2 with a hint: missing or unknown subcommand, unknown option, bad values, no token', async () => {
    const env = { CLIENTELE_TOKEN: 'clt_x', CLIENTELE_URL: 'http://127.0.0.1:1' };
    const cases: Array<[string[], RegExp]> = [
      [['clients'], /missing command/],
      [['clients', 'frobnicate'], /unknown command 'clients frobnicate'/],
      [['clients', 'list', '--bogus'], /Unknown option '--bogus'/],
      [['clients', 'get'], /missing ID/],
      [['clients', 'get', 'a', 'b'], /unexpected argument "b"/],
      [['clients', 'list', '--limit', 'many'], /--limit must be an integer/],
      [['clients', 'list', '--active', '--inactive'], /exclude each other/],
      [['clients', 'create', '--limits', '{nope'], /--limits must be JSON/],
      [['clients', 'update', 'id'], /nothing to update/],
      [['clients', 'update', 'id', '--unset', 'name'], /cannot be cleared/],
      [['clients', 'import', 'file.txt'], /--format csv or --format jsonl/],
      [['clients', 'import', '/nonexistent.csv'], /cannot read/],
      [['clients', 'export', '--format', 'xml'], /--format must be jsonl or csv/],
      [['keys', 'create', '--expires-at', 'tomorrow'], /--expires-at must be a date-time/],
      [['keys', 'list', '--owner', 'me'], /--owner must be account or client/],
      [['keys', 'verify', '--key-id', 'ck_x'], /go together/],
      [['keys', 'reset', 'ck_x', '--grace', '-1'], /Option '--grace|--grace must be/],
      [['events', 'tail', '--since', 'yesterday'], /--since must be/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv, env);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, argv.join(' '));
    }
    const noToken = await run(['clients', 'list'], {});
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /set CLIENTELE_TOKEN or pass --token/);
  });

  it('the real binary: top-level help lists the remote groups; group and subcommand help; exit codes', async () => {
    const [top, group, sub, unknown] = await Promise.all([runCli(['help']), runCli(['keys', '--help']), runCli(['events', 'tail', '--help']), runCli(['clients', 'nope'])]);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /clients {2}list\|get\|create\|update\|delete\|activate\|deactivate\|import\|export/);
    assert.match(top.stdout, /keys {5}list\|get\|create\|reset\|delete\|verify/);
    assert.match(top.stdout, /events {3}list\|tail/);
    assert.equal(group.code, 0);
    assert.match(group.stdout, /Usage: clientele keys <command>/);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /Ctrl-C/);
    assert.equal(unknown.code, 2);
  });
});
