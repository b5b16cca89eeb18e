import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES } from '../src/config.js';
import { ERROR_CATALOGUE } from '../src/core/errors.js';
import { permissionsTable, rolesTable } from '../scripts/docs-tables.js';

const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8');

describe('documentation stays true', () => {
  it('docs/errors.md lists every catalogue code with its status, and nothing else', async () => {
    const text = await read('docs/errors.md');
    const rows = [...text.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, e]) => [code, e.status]);
    assert.deepEqual(rows.sort(), catalogue.sort());
  });

  it('README configuration table lists every environment variable with its default', async () => {
    const text = await read('README.md');
    const rows = [...text.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2]!.trim().replace(/^`|`$/g, '')]);
    assert.deepEqual(
      rows,
      CONFIG_VARIABLES.map((v) => [v.name, v.default]),
    );
  });

  it('docs/permissions.md holds the permission and role tables of the code (npm run docs)', async () => {
    const text = await read('docs/permissions.md');
    assert.ok(text.includes(permissionsTable()), 'the permissions table is not the one the code makes');
    assert.ok(text.includes(rolesTable()), 'the roles table is not the one the code makes');
  });

  it('every relative link of README.md, ARCHITECTURE.md and docs/ names a file that exists', async () => {
    const pages = ['README.md', 'ARCHITECTURE.md', ...(await readdir(new URL('../docs/', import.meta.url))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    for (const page of pages) {
      const text = await read(page);
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const file = new URL(`../${page.includes('/') ? `${page.slice(0, page.lastIndexOf('/') + 1)}` : ''}${target}`, import.meta.url);
        assert.ok(existsSync(file), `${page} links to ${target}, which does not exist`);
      }
    }
  });
});
