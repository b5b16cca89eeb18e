/** `clientele events …`: the audit log — list, and tail (follow new events until Ctrl-C). */
import type { Event } from '../../../sdk/src/index.js';
import type { CommandSpec, GroupSpec } from './command.js';
import { date, listLimit, printList, type Column } from './output.js';
import { EXIT, intOption, positionals, UsageError } from './shared.js';

const COLUMNS: Column<Event>[] = [
  { header: 'TIME', value: (e) => date(e.createdAt) },
  { header: 'TYPE', value: (e) => e.type, max: 30 },
  { header: 'CLIENT', value: (e) => e.clientId, max: 36 },
  { header: 'ACTOR', value: (e) => `${e.actor.type}:${e.actor.id}`, max: 45 },
  { header: 'ID', value: (e) => e.id, max: 36 },
];

const FILTERS = { type: { type: 'string' as const }, client: { type: 'string' as const } };
const FILTER_HELP = `  --type TYPE     Only events of this type (e.g. client.created)
  --client ID     Only events of this client`;

/** `--since`: an RFC 3339 time, a duration back from now (30s, 15m, 2h, 7d), or "beginning". */
function parseSince(value: string, now = Date.now()): Date | 'beginning' {
  if (value === 'beginning') return 'beginning';
  const rel = /^(\d+)(s|m|h|d)$/.exec(value);
  if (rel) return new Date(now - Number(rel[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[rel[2] as 's']);
  const t = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(t)) return new Date(t);
  throw new UsageError(`--since must be a time (2026-01-31T12:00:00Z), a duration (30s, 15m, 2h, 7d) or "beginning", got ${JSON.stringify(value)}`);
}

function line(e: Event): string {
  const data = JSON.stringify(e.data);
  return `${date(e.createdAt)}  ${e.type.padEnd(24)}  ${e.clientId ?? '-'}  ${e.actor.type}:${e.actor.id}  ${data.length > 200 ? `${data.slice(0, 199)}…` : data}`;
}

const list: CommandSpec = {
  name: 'list',
  summary: 'List events, oldest first',
  usage: 'events list [--type TYPE] [--client ID] [--limit N | --all]',
  help: `Options:
${FILTER_HELP}
  --limit N       Show at most N events (default 50)
  --all           Show every event`,
  options: { ...FILTERS, limit: { type: 'string' }, all: { type: 'boolean' } },
  async run(ctx, values, args) {
    positionals(args, []);
    const max = listLimit(values);
    const params = { limit: Math.min(100, max), ...(values.type ? { type: values.type as string } : {}), ...(values.client ? { clientId: values.client as string } : {}) };
    return printList(ctx, ctx.sdk().events.list(params).pages(), max, COLUMNS, 'events');
  },
};

const tail: CommandSpec = {
  name: 'tail',
  summary: 'Print new events as they happen, until Ctrl-C',
  usage: 'events tail [--since TIME] [--type TYPE] [--client ID] [--interval MS]',
  help: `Options:
  --since TIME    Start with the events since TIME: an RFC 3339 time, a duration back from
                  now (30s, 15m, 2h, 7d) or "beginning" (default: only new events)
${FILTER_HELP}
  --interval MS   How often to ask for new events (default 1000)

One line per event; with --json one JSON object per line. Ctrl-C (SIGINT) or SIGTERM stops
it with exit code 0.`,
  options: { ...FILTERS, since: { type: 'string' }, interval: { type: 'string' } },
  async run(ctx, values, args) {
    positionals(args, []);
    const since = values.since !== undefined ? parseSince(values.since as string) : undefined;
    const intervalMs = intOption('interval', values.interval as string | undefined, 1000, 10, 3_600_000);
    const sdk = ctx.sdk();
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const e of sdk.events.follow({
        ...(since ? { since } : {}),
        ...(values.type ? { type: values.type as string } : {}),
        ...(values.client ? { clientId: values.client as string } : {}),
        intervalMs,
        signal: controller.signal,
      })) {
        ctx.out(ctx.json ? JSON.stringify(e) : line(e));
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return EXIT.OK;
  },
};

export const eventsGroup: GroupSpec = {
  name: 'events',
  summary: 'Read the audit log of a Clientele server.',
  commands: [list, tail],
};
