/** Human-readable tables and detail views, and JSON for scripts. */
import { EXIT, intOption, type Context, type Values } from './shared.js';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Longer cells are cut with an ellipsis (ids are never cut). */
  max?: number;
}

function cell(value: unknown, max = 60): string {
  const text = value === null || value === undefined ? '-' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Renders rows as an aligned table (header, then one line per row). */
function table<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(c.value(r), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** A vertical `key: value` view of one object. */
export function details(obj: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(obj).map((k) => k.length));
  return (
    Object.entries(obj)
      .map(([k, v]) => `${`${k}:`.padEnd(width + 1)}  ${cell(v, 10_000)}`)
      .join('\n') + '\n'
  );
}

/** Prints one object: JSON with --json, else the detail view. */
export function printOne(ctx: Context, obj: object, human?: string): void {
  ctx.out(ctx.json ? JSON.stringify(obj, null, 2) : (human ?? details(obj as Record<string, unknown>)));
}

export const date = (s: string | null | undefined) => (s ? s.replace(/\.\d+Z$/, 'Z') : null);

/** `--limit N` / `--all` for list commands: how many items to show at most. */
export function listLimit(values: Values, fallback = 50): number {
  if (values.all) return Infinity;
  return intOption('limit', values.limit as string | undefined, fallback, 1, 1_000_000);
}

/**
 * Prints up to `max` items of a paginated list: a table with a "more" hint, or with --json a
 * JSON array written as it streams.
 */
export async function printList<T>(ctx: Context, pages: AsyncIterable<{ data: T[]; nextCursor: string | null }>, max: number, columns: Column<T>[], noun: string): Promise<number> {
  const rows: T[] = [];
  let more = false;
  if (ctx.json) ctx.io.stdout.write('[');
  for await (const page of pages) {
    for (const [i, item] of page.data.entries()) {
      if (rows.length >= max) {
        more = true;
        break;
      }
      if (ctx.json) ctx.io.stdout.write(`${rows.length ? ',' : ''}\n${JSON.stringify(item)}`);
      rows.push(item);
      if (rows.length === max && (i < page.data.length - 1 || page.nextCursor)) more = true;
    }
    if (rows.length >= max) break;
  }
  if (ctx.json) {
    ctx.io.stdout.write(rows.length ? '\n]\n' : ']\n');
    return EXIT.OK;
  }
  if (rows.length === 0) ctx.out(`No ${noun}.`);
  else ctx.out(table(rows, columns));
  if (more) ctx.err(`(first ${rows.length} ${noun} shown; use --limit N or --all for more)`);
  return EXIT.OK;
}
