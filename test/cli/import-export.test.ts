/**
 * `clientele clients import` and `clients export`, spawned against a real server on both
 * databases: valid rows are all created whatever the bad ones do, bad rows are reported
 * with line, field and reason (exit 5), a re-run never duplicates — batches moved by fixed
 * rows and imports begun one request per row included —, batches too large for the server
 * are split, and an export imports back. (Throughput: bench/import.ts.)
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Clientele, type Client } from '../../sdk/src/index.js';
import { EXPORT_COLUMNS } from '../../src/cli/commands/clients-export.js';
import { parseCsv } from '../../src/cli/commands/csv.js';
import { testBackends } from '../support/databases.js';
import { runCli, startCliServer, type CliServer } from '../support/cli.js';

const BAD_CSV =
  [
    'name,username,emailAddress,siret,isActive,limits,metadata', // 1
    'Alpha,alpha,alpha@x.test,12345678901234,true,"{""calls"":10}","{""tier"":""gold""}"', // 2 ok
    '"Beta, Inc.",beta,beta@x.test,,false,,', // 3 ok
    'Gamma,gamma,not-an-email,,,,', // 4 server: emailAddress
    'Delta,delta,,123,,,', // 5 server: siret
    'Epsilon,eps,,,maybe,,', // 6 local: isActive
    'Zeta,zeta,,,,{bad json},', // 7 local: limits
    'Eta,taken,,,,,', // 8 server: USERNAME_TAKEN
    '"Multi', // 9 ok (a quoted line break)
    'line",multi,,,,,', // 10
    'Theta,theta', // 11 local: field count
    '', // blank: skipped
    'Iota,iota,iota@x.test,,,,', // 13 ok
    ',,,,,,', // 14 server: no name
  ].join('\r\n') + '\r\n';

const VALID = ['Alpha', 'Beta, Inc.', 'Multi\nline', 'Iota'];

for (const backend of testBackends()) {
  describe(`clientele clients import/export [${backend}]`, () => {
    let s: CliServer;
    let dir: string;
    let sdk: Clientele;
    const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...s.env, ...env });

    before(async () => {
      s = await startCliServer(backend);
      dir = await mkdtemp(join(tmpdir(), 'clientele-cli-'));
      sdk = new Clientele({ baseUrl: s.url, apiKey: s.acc.token });
      await sdk.clients.create({ name: 'Already there', username: 'taken' });
    });
    after(async () => {
      await s.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('a CSV with bad rows: every valid row is created, each bad one reported (line, field, reason), exit 5; a re-run duplicates nothing', async () => {
      const file = join(dir, 'clients.csv');
      await writeFile(file, BAD_CSV);
      const first = await cli(['clients', 'import', file, '--concurrency', '4']);
      assert.equal(first.code, 5, first.stderr);
      assert.match(first.stdout, /^Imported 11 rows in [\d.]+ s \([\d,]+ rows\/s\): 4 created, 0 already imported, 7 rejected\.$/m);
      const report = first.stderr.split('\n').filter((l) => l.startsWith('line '));
      const expected: Array<[number, RegExp]> = [
        [4, /^line 4: emailAddress: .*\(VALIDATION_FAILED\)$/],
        [5, /^line 5: siret: .*\(VALIDATION_FAILED\)$/],
        [6, /^line 6: isActive: must be true or false \(INVALID_CELL\)$/],
        [7, /^line 7: limits: must be a JSON object \(INVALID_CELL\)$/],
        [8, /^line 8: username: .*\(USERNAME_TAKEN\)$/],
        [11, /^line 11: has 2 fields, the header has 7 \(MALFORMED_ROW\)$/],
        [14, /^line 14: .*\(VALIDATION_FAILED\)$/],
      ];
      for (const [line, pattern] of expected)
        assert.ok(
          report.some((l) => pattern.test(l)),
          `line ${line} reported as ${pattern}:\n${report.join('\n')}`,
        );
      assert.deepEqual([...new Set(report.map((l) => Number(/^line (\d+)/.exec(l)![1])))], [4, 5, 6, 7, 8, 11, 14]);

      const names = async () => (await sdk.clients.list({ limit: 100 }).toArray()).map((c) => c.name).sort();
      assert.deepEqual(await names(), ['Already there', ...VALID].sort());
      const alpha = (await sdk.clients.list({ username: 'alpha' }).toArray())[0]!;
      assert.deepEqual([alpha.isActive, alpha.limits, alpha.metadata, alpha.siret], [true, { calls: 10 }, { tier: 'gold' }, '12345678901234']);
      assert.equal((await sdk.clients.list({ username: 'beta' }).toArray())[0]!.isActive, false);

      // The same import again (say, after a crash): replayed, not duplicated; rejections to a report file.
      const reportFile = join(dir, 'rejected.csv');
      const again = await cli(['clients', 'import', file, '--report', reportFile, '--json']);
      assert.equal(again.code, 5);
      const summary = JSON.parse(again.stdout) as Record<string, unknown>;
      assert.deepEqual({ ...summary, seconds: 0, rowsPerSecond: 0 }, { rows: 11, created: 0, alreadyImported: 4, rejected: 7, seconds: 0, rowsPerSecond: 0, completed: true, report: reportFile });
      assert.deepEqual(await names(), ['Already there', ...VALID].sort());
      const rows = [];
      for await (const r of parseCsv(
        (async function* () {
          yield await readFile(reportFile, 'utf8');
        })(),
      ))
        rows.push(r.fields);
      assert.deepEqual(rows[0], ['line', 'field', 'code', 'message']);
      assert.deepEqual(
        rows
          .slice(1)
          .map((r) => [r[0], r[1], r[2]])
          .filter((r) => r[0] === '6' || r[0] === '8'),
        [
          ['6', 'isActive', 'INVALID_CELL'],
          ['8', 'username', 'USERNAME_TAKEN'],
        ],
      );
      assert.ok(!again.stderr.includes('line 4:'), 'with --report the rows are not repeated on stderr');
    });

    it('JSON lines: bad lines reported, valid ones created; export (jsonl and csv) streams everything and imports back', async () => {
      const file = join(dir, 'clients.jsonl');
      await writeFile(
        file,
        [
          JSON.stringify({ name: 'Json One', features: { sso: true } }),
          '{not json',
          '[1,2]',
          '',
          JSON.stringify({ name: 'Json Two', bogus: 1 }),
          JSON.stringify({ id: 'ignored', name: 'Json Three', createdAt: 'x' }),
        ].join('\n'),
      );
      const imported = await cli(['clients', 'import', file, '--no-progress']);
      assert.equal(imported.code, 5);
      assert.match(imported.stdout, /5 rows .*: 2 created, 0 already imported, 3 rejected/);
      assert.match(imported.stderr, /^line 2: is not valid JSON \(MALFORMED_ROW\)$/m);
      assert.match(imported.stderr, /^line 3: is not a JSON object \(MALFORMED_ROW\)$/m);
      assert.match(imported.stderr, /^line 5: .*bogus.* \(VALIDATION_FAILED\)$/m);

      const all = await sdk.clients.list().toArray();
      const [jsonl, csv, toFile] = await Promise.all([
        cli(['clients', 'export']),
        cli(['clients', 'export', '--format', 'csv']),
        cli(['clients', 'export', '--output', join(dir, 'export.jsonl'), '--search', 'Json']),
      ]);
      assert.equal(jsonl.code, 0);
      assert.deepEqual(
        jsonl.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown),
        all,
      );
      assert.match(jsonl.stderr, new RegExp(`Exported ${all.length} clients`));
      const records = [];
      for await (const r of parseCsv(
        (async function* () {
          yield csv.stdout;
        })(),
      ))
        records.push(r.fields);
      assert.deepEqual(records[0], [...EXPORT_COLUMNS]);
      assert.equal(records.length, all.length + 1);
      assert.ok(
        records.some((r) => r[1] === 'Multi\nline'),
        'line breaks survive the CSV round trip',
      );
      assert.equal(toFile.code, 0);
      assert.equal((await readFile(join(dir, 'export.jsonl'), 'utf8')).trim().split('\n').length, 2);

      // Into another account: both formats import back as they were.
      const other = await s.t.newAccount('Other');
      await writeFile(join(dir, 'export.csv'), csv.stdout);
      const back = await cli(['clients', 'import', join(dir, 'export.csv')], { CLIENTELE_TOKEN: other.token });
      assert.equal(back.code, 0, back.stderr);
      const copied = await new Clientele({ baseUrl: s.url, apiKey: other.token }).clients.list().toArray();
      const strip = (c: Client) => ({ ...c, id: '', createdAt: '', updatedAt: '' });
      assert.deepEqual(
        copied.map(strip).sort((a, b) => String(a.name).localeCompare(String(b.name))),
        all.map(strip).sort((a, b) => String(a.name).localeCompare(String(b.name))),
      );
    });

    it('rows go in batches, each row with its own key: fixing rejected rows moves the batches, and a re-run still replays every created row', async () => {
      const other = await s.t.newAccount('Fixes');
      const env = { CLIENTELE_TOKEN: other.token };
      const rows = Array.from({ length: 10 }, (_, i) => JSON.stringify({ name: `Fix ${i}` })); // no usernames: only the keys prevent duplicates
      const file = join(dir, 'fixes.jsonl');
      await writeFile(file, [...rows.slice(0, 2), '{not json', ...rows.slice(3, 6), JSON.stringify({ name: 'Fix 6', siret: '1' }), ...rows.slice(7)].join('\n'));
      const first = await cli(['clients', 'import', file, '--batch-size', '3', '--json', '--no-progress'], env);
      assert.equal(first.code, 5, first.stderr);
      assert.deepEqual({ ...JSON.parse(first.stdout), seconds: 0, rowsPerSecond: 0 }, { rows: 10, created: 8, alreadyImported: 0, rejected: 2, seconds: 0, rowsPerSecond: 0, completed: true });
      assert.match(first.stderr, /^line 3: is not valid JSON \(MALFORMED_ROW\)$/m);
      assert.match(first.stderr, /^line 7: siret: .*\(VALIDATION_FAILED\)$/m);

      // Both rows fixed: line 3 now goes to the server too, so every later batch holds other rows than before.
      await writeFile(file, [...rows.slice(0, 6), JSON.stringify({ name: 'Fix 6', siret: '12345678901234' }), ...rows.slice(7)].join('\n'));
      const again = await cli(['clients', 'import', file, '--batch-size', '3', '--json', '--no-progress'], env);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual({ ...JSON.parse(again.stdout), seconds: 0, rowsPerSecond: 0 }, { rows: 10, created: 2, alreadyImported: 8, rejected: 0, seconds: 0, rowsPerSecond: 0, completed: true });
      const names = (await new Clientele({ baseUrl: s.url, apiKey: other.token }).clients.list({ limit: 100 }).toArray()).map((c) => c.name).sort();
      assert.deepEqual(
        names,
        Array.from({ length: 10 }, (_, i) => `Fix ${i}`),
      );
    });

    it('resumes an import begun one request per row: the per-row keys are the same', async () => {
      const other = await s.t.newAccount('Resumed');
      const oldSdk = new Clientele({ baseUrl: s.url, apiKey: other.token });
      // What the one-request-per-row import sent for the first row: its content's key, first of its kind.
      const row = { name: 'Imported before', limits: { calls: 1 } };
      const digest = createHash('sha256').update('\n{"limits":{"calls":1},"name":"Imported before"}').digest('base64url').slice(0, 32);
      const before = await oldSdk.clients.create(row, { idempotencyKey: `clientele-import:${digest}:1` });
      const file = join(dir, 'resumed.jsonl');
      await writeFile(file, `${JSON.stringify(row)}\n${JSON.stringify({ name: 'Not yet' })}\n`);
      const r = await cli(['clients', 'import', file, '--json', '--no-progress'], { CLIENTELE_TOKEN: other.token });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual([JSON.parse(r.stdout).created, JSON.parse(r.stdout).alreadyImported], [1, 1]);
      const all = await oldSdk.clients.list().toArray();
      assert.deepEqual(all.map((c) => c.name).sort(), ['Imported before', 'Not yet']);
      assert.ok(all.some((c) => c.id === before.id));
    });

    it('a batch larger than the server takes goes again in halves; a row larger alone is rejected (PAYLOAD_TOO_LARGE)', async () => {
      const small = await startCliServer(backend, { bodyLimit: 16 * 1024, logLevel: 'info' });
      try {
        const file = join(dir, 'large.jsonl');
        const pad = (n: number) => 'x'.repeat(n);
        const lines = Array.from({ length: 8 }, (_, i) => JSON.stringify({ name: `Large ${i}`, metadata: { pad: pad(3000) } }));
        lines.splice(5, 0, JSON.stringify({ name: 'Too large', metadata: { pad: pad(17_000) } }));
        await writeFile(file, `${lines.join('\n')}\n`);
        const r = await runCli(['clients', 'import', file, '--batch-size', '10', '--concurrency', '1', '--json', '--no-progress'], small.env);
        assert.equal(r.code, 5, r.stderr);
        assert.deepEqual([JSON.parse(r.stdout).created, JSON.parse(r.stdout).rejected], [8, 1]);
        assert.match(r.stderr, /^line 6: .*\(PAYLOAD_TOO_LARGE\)$/m);
        const names = (await new Clientele({ baseUrl: small.url, apiKey: small.acc.token }).clients.list({ limit: 100 }).toArray()).map((c) => c.name).sort();
        assert.deepEqual(
          names,
          Array.from({ length: 8 }, (_, i) => `Large ${i}`),
        );
        const batches = small.t.logs.filter((l) => l.includes('"url":"/v1/clients/batch"') && l.includes('incoming request')).length;
        assert.ok(batches >= 3 && batches <= 12, `${batches} batch requests: the rows went in halves, not one by one`);
        assert.ok(!small.t.logs.some((l) => l.includes('"url":"/v1/clients"')), 'no single create');
      } finally {
        await small.close();
      }
    });

    it('stops (exit 4) when the credentials are refused, without reporting rows as rejected', async () => {
      const file = join(dir, 'few.jsonl');
      await writeFile(file, `${JSON.stringify({ name: 'Never' })}\n`);
      const r = await cli(['clients', 'import', file], { CLIENTELE_TOKEN: 'clt_wrong' });
      assert.equal(r.code, 4);
      assert.match(r.stdout, /Stopped after 0 rows/);
      assert.match(r.stderr, /UNAUTHENTICATED/);
    });

    if (backend === 'embedded') {
      // Throughput is measured by bench/import.ts (npm run bench:import), not here.
      it('a larger import: progress lines every 10 % on a pipe, every row created once', async () => {
        const other = await s.t.newAccount('Bulk');
        const file = join(dir, 'bulk.csv');
        const lines = ['name,username,emailAddress,company,limits'];
        for (let i = 0; i < 400; i++) lines.push(`Client ${i},user-${i},user-${i}@bulk.test,Company ${i % 97},"{""calls"":${i}}"`);
        await writeFile(file, lines.join('\n') + '\n');
        const r = await cli(['clients', 'import', file, '--json', '--concurrency', '8'], { CLIENTELE_TOKEN: other.token });
        assert.equal(r.code, 0, r.stderr);
        const summary = JSON.parse(r.stdout) as { rows: number; created: number; seconds: number; rowsPerSecond: number };
        assert.equal(summary.rows, 400);
        assert.equal(summary.created, 400);
        assert.match(r.stderr, /^import: 50% · 2\d\d rows · [\d,]+ rows\/s · 0 rejected$/m, 'progress on stderr');
        assert.match(r.stderr, /^import: 100% · 400 rows · [\d,]+ rows\/s · 0 rejected · \d+:\d\d$/m);
        let count = 0;
        for await (const page of new Clientele({ baseUrl: s.url, apiKey: other.token }).clients.list({ limit: 100 }).pages()) count += page.data.length;
        assert.equal(count, 400);
      });
    }
  });
}
