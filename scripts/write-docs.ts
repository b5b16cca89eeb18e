/**
 * Rewrites the generated tables of README.md (configuration), docs/errors.md (error
 * catalogue) and docs/permissions.md (permissions, roles) from their sources.
 * test/docs.test.ts fails when they drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_VARIABLES } from '../src/config.js';
import { ERROR_CATALOGUE } from '../src/core/errors.js';
import { permissionsTable, replaceTable, rolesTable } from './docs-tables.js';

const root = new URL('../', import.meta.url);
const errors = Object.entries(ERROR_CATALOGUE)
  .map(([c, e]) => `| \`${c}\` | ${e.status} | ${e.title} |\n`)
  .join('');
const config = CONFIG_VARIABLES.map((v) => `| \`${v.name}\` | \`${v.default}\` | ${v.description} |\n`).join('');

const docs = new URL('docs/errors.md', root);
writeFileSync(docs, readFileSync(docs, 'utf8').replace(/\| code \| status \| meaning \|\n\|---\|---\|---\|\n(\|.*\n)+/, `| code | status | meaning |\n|---|---|---|\n${errors}`));
const readme = new URL('README.md', root);
writeFileSync(readme, readFileSync(readme, 'utf8').replace(/\| variable \| default \| meaning \|\n\|---\|---\|---\|\n(\|.*\n)+/, `| variable | default | meaning |\n|---|---|---|\n${config}`));
const permissions = new URL('docs/permissions.md', root);
writeFileSync(permissions, replaceTable(replaceTable(readFileSync(permissions, 'utf8'), '| permission |', permissionsTable()), '| role |', rolesTable()));
process.stdout.write('README.md, docs/errors.md and docs/permissions.md tables written\n');
