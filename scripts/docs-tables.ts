/**
 * Tables of the documentation generated from the code's own tables, so they cannot drift:
 * written by scripts/write-docs.ts, compared by test/docs.test.ts.
 */
import { PERMISSION_NAMES, PERMISSIONS, ROLES } from '../src/core/permissions.js';
import { ROUTE_PERMISSIONS } from '../src/http/route-permissions.js';

/** docs/permissions.md: every permission, what it allows, and the routes that need it. */
export function permissionsTable(): string {
  const rows = PERMISSION_NAMES.map((p) => {
    const routes = [...ROUTE_PERMISSIONS].filter(([, needed]) => needed === p).map(([route]) => `\`${route}\``);
    return `| \`${p}\` | ${PERMISSIONS[p]} | ${routes.join('<br>') || '—'} |\n`;
  });
  return `| permission | allows | routes that need it |\n|---|---|---|\n${rows.join('')}`;
}

/** docs/permissions.md: what each role holds. */
export function rolesTable(): string {
  const rows = Object.entries(ROLES).map(([role, held]) => `| \`${role}\` | ${held.map((p) => `\`${p}\``).join(', ')} |\n`);
  return `| role | holds |\n|---|---|\n${rows.join('')}`;
}

/** Replaces the table that starts with `header` in `text` by `table`. */
export function replaceTable(text: string, header: string, table: string): string {
  const start = text.indexOf(header);
  if (start < 0) throw new Error(`no table starting with ${header}`);
  let end = start;
  while (end < text.length && text[end] === '|') end = text.indexOf('\n', end) + 1 || text.length;
  return text.slice(0, start) + table + text.slice(end);
}
