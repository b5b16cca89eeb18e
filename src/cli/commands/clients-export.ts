/**
 * `clientele clients export`: streams every client (page by page, never all in memory) as
 * JSON lines or CSV, to stdout or a file. The output imports back with `clients import`
 * (the read-only columns are ignored there).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Client, ClientListParams } from '../../../sdk/src/index.js';
import type { CommandSpec } from './command.js';
import { csvLine } from './csv.js';
import { EXIT, positionals, UsageError, type Context, type Values } from './shared.js';

export const EXPORT_COLUMNS = [
  'id',
  'name',
  'description',
  'siret',
  'username',
  'emailAddress',
  'firstName',
  'lastName',
  'company',
  'hasPassword',
  'isActive',
  'features',
  'limits',
  'metadata',
  'createdAt',
  'updatedAt',
] as const;

function csvValues(c: Client): Array<string | boolean | null> {
  return EXPORT_COLUMNS.map((k) => {
    const v = c[k];
    return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  });
}

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'Stream all clients as JSON lines or CSV',
  usage: 'clients export [--format jsonl|csv] [--output FILE] [--search TEXT] [--active|--inactive]',
  help: `Options:
  --format jsonl|csv   Default jsonl (one client object per line); csv has a header line:
                       ${EXPORT_COLUMNS.join(',')}
  --output FILE        Write to FILE instead of stdout
  --search TEXT        Only clients whose name, username, e-mail or company contains TEXT
  --active             Only active clients (--inactive: only deactivated ones)

The count is printed on stderr when done.`,
  options: { format: { type: 'string' }, output: { type: 'string', short: 'o' }, search: { type: 'string' }, active: { type: 'boolean' }, inactive: { type: 'boolean' } },
  run: runExport,
};

async function runExport(ctx: Context, values: Values, args: string[]): Promise<number> {
  positionals(args, []);
  const format = (values.format as string | undefined) ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format must be jsonl or csv, got ${JSON.stringify(format)}`);
  if (values.active && values.inactive) throw new UsageError('--active and --inactive exclude each other');
  const params: ClientListParams = {
    limit: 100,
    ...(values.search !== undefined ? { q: values.search as string } : {}),
    ...(values.active ? { isActive: true } : values.inactive ? { isActive: false } : {}),
  };
  const sdk = ctx.sdk();
  const file = values.output as string | undefined;
  const out: NodeJS.WritableStream = file ? createWriteStream(file) : ctx.io.stdout;
  const write = async (text: string) => {
    // Respect back-pressure: a slow reader (a pipe into gzip) never makes us buffer everything.
    if (!out.write(text)) await once(out, 'drain');
  };

  let count = 0;
  if (format === 'csv') await write(csvLine([...EXPORT_COLUMNS]));
  for await (const page of sdk.clients.list(params).pages()) {
    let chunk = '';
    for (const c of page.data) chunk += format === 'csv' ? csvLine(csvValues(c)) : `${JSON.stringify(c)}\n`;
    count += page.data.length;
    if (chunk) await write(chunk);
  }
  if (file) {
    out.end();
    await once(out, 'finish');
  } else {
    // Flushed before main.ts calls process.exit.
    await new Promise<void>((resolve) => out.write('', () => resolve()));
  }
  ctx.err(`Exported ${count.toLocaleString('en-US')} clients${file ? ` to ${file}` : ''}.`);
  return EXIT.OK;
}
