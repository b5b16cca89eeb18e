/**
 * The SDK package itself: its wire types are exactly what openapi-typescript generates from
 * the route schemas (drift check over both steps: routes → openapi.json → sdk/src/openapi.ts),
 * and it builds with tsc into an ESM package with declarations that imports nothing outside
 * itself (no runtime dependencies, no server code, no Node built-ins).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generateOpenApi } from '../../scripts/openapi.js';
import { generateSdkTypes } from '../scripts/openapi-types.js';

const SDK = new URL('..', import.meta.url).pathname;
const committedTypes = () => readFile(join(SDK, 'src/openapi.ts'), 'utf8');
const HINT = 'run `npm run openapi` (writes openapi.json, then sdk/src/openapi.ts)';

describe('@clientele/sdk package', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('sdk/src/openapi.ts is the generation of the committed openapi.json', async () => {
    const committedDoc = await readFile(join(SDK, '../openapi.json'), 'utf8');
    assert.equal(await committedTypes(), await generateSdkTypes(committedDoc), HINT);
  });

  it('sdk/src/openapi.ts is the generation of the current route schemas', async () => {
    assert.equal(await committedTypes(), await generateSdkTypes(await generateOpenApi()), HINT);
  });

  it('builds (tsc, DOM lib, no Node types) into ESM + declarations that import nothing outside the package', { timeout: 120_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'clientele-sdk-build-'));
    dirs.push(out);
    const tsc = join(SDK, '../node_modules/typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', join(SDK, 'tsconfig.build.json'), '--outDir', out]);

    const pkg = JSON.parse(await readFile(join(SDK, 'package.json'), 'utf8')) as { exports: Record<string, { types?: string; import?: string } | string>; dependencies?: object };
    assert.equal(pkg.dependencies, undefined, 'no runtime dependencies');
    for (const [entry, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      for (const file of [target.types!, target.import!]) assert.ok(existsSync(join(out, file.replace('./dist/', ''))), `${entry} → ${file} is built`);
    }

    const files = (await readdir(out, { recursive: true })).filter((f) => f.endsWith('.js'));
    let imports = 0;
    for (const f of files) {
      const code = await readFile(join(out, f), 'utf8');
      const specs = [...code.matchAll(/^(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]/gm), ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]/g)];
      imports += specs.length;
      for (const [, spec] of specs) assert.ok(spec!.startsWith('./') || spec!.startsWith('../'), `${f} imports ${spec}`);
    }
    assert.ok(imports > 10, 'the import scan sees the imports');

    // The built package works as published: ESM entry points load and expose the API.
    await writeFile(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
    const main = (await import(pathToFileURL(join(out, 'index.js')).href)) as Record<string, unknown>;
    const fp = (await import(pathToFileURL(join(out, 'factpulse/index.js')).href)) as Record<string, unknown>;
    for (const name of ['Clientele', 'ClienteleError', 'ClienteleConnectionError', 'Paginated', 'verifyWebhook', 'verifyStandardWebhook', 'verifyFactPulseSignature'])
      assert.equal(typeof main[name], 'function', name);
    for (const name of ['ClientManagementApi', 'Configuration', 'ClientManagementApiFactory', 'FactPulseApiError', 'RequiredError']) assert.equal(typeof fp[name], 'function', name);
    assert.ok(existsSync(join(out, 'index.d.ts')) && existsSync(join(out, 'factpulse/index.d.ts')));
  });
});
