/** A tiny command framework: groups of subcommands, each with its options and its help. */
import { parseArgs } from 'node:util';
import { printOne } from './output.js';
import {
  createContext,
  describeError,
  exitCodeFor,
  EXIT,
  EXIT_CODES_HELP,
  GLOBAL_OPTIONS,
  GLOBAL_OPTIONS_HELP,
  positionals,
  UsageError,
  type Context,
  type Io,
  type Options,
  type Values,
} from './shared.js';

export interface CommandSpec {
  name: string;
  /** One line, for the group's list. */
  summary: string;
  /** e.g. `clients get ID` */
  usage: string;
  /** Option lines and notes shown by --help. */
  help: string;
  options: Options;
  run(ctx: Context, values: Values, args: string[]): Promise<number>;
}

/** `--idempotency-key KEY` of the create commands: the option, its help line, and the SDK call option it becomes. */
export const IDEMPOTENCY_OPTION: Options = { 'idempotency-key': { type: 'string' } };
export const IDEMPOTENCY_HELP = '  --idempotency-key KEY    Makes the call safe to repeat: the same key returns the first result';
export function idempotencyOf(values: Values): { idempotencyKey?: string } {
  const key = values['idempotency-key'] as string | undefined;
  return key ? { idempotencyKey: key } : {};
}

/** `<group> get ID`: one resource by its id, printed whole. */
export function getCommand(spec: { usage: string; summary: string; help: string; id: string; fetch: (ctx: Context, id: string) => Promise<object> }): CommandSpec {
  return {
    name: 'get',
    summary: spec.summary,
    usage: spec.usage,
    help: spec.help,
    options: {},
    async run(ctx, _values, args) {
      const [id] = positionals(args, [spec.id]);
      printOne(ctx, await spec.fetch(ctx, id!));
      return EXIT.OK;
    },
  };
}

/** `<group> delete ID`: deletes, then says so (`{<idField>, deleted: true}` with --json). */
export function deleteCommand(spec: { usage: string; summary: string; help: string; id: string; idField: string; noun: string; remove: (ctx: Context, id: string) => Promise<unknown> }): CommandSpec {
  return {
    name: 'delete',
    summary: spec.summary,
    usage: spec.usage,
    help: spec.help,
    options: {},
    async run(ctx, _values, args) {
      const [id] = positionals(args, [spec.id]);
      await spec.remove(ctx, id!);
      if (ctx.json) ctx.out(JSON.stringify({ [spec.idField]: id, deleted: true }));
      else ctx.out(`${spec.noun} ${id} deleted.`);
      return EXIT.OK;
    },
  };
}

export interface GroupSpec {
  name: string;
  summary: string;
  commands: CommandSpec[];
}

function groupHelp(group: GroupSpec): string {
  const width = Math.max(...group.commands.map((c) => c.name.length));
  return (
    `Usage: clientele ${group.name} <command> [options]\n\n${group.summary}\n\nCommands:\n` +
    group.commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n') +
    `\n\nRun 'clientele ${group.name} <command> --help' for a command's options.\n\n${GLOBAL_OPTIONS_HELP}\n${EXIT_CODES_HELP}`
  );
}

function commandHelp(_group: GroupSpec, command: CommandSpec): string {
  return `Usage: clientele ${command.usage}\n\n${command.summary}\n\n${command.help.trimEnd()}\n\n${GLOBAL_OPTIONS_HELP}\n${EXIT_CODES_HELP}`;
}

/** Runs `clientele <group> <command> [args]`; never throws: errors become exit codes. */
export async function runGroup(group: GroupSpec, argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(`error: missing command\n\n${groupHelp(group)}`);
    return EXIT.USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(groupHelp(group));
    return EXIT.OK;
  }
  const command = group.commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`error: unknown command '${group.name} ${name}'\n\n${groupHelp(group)}`);
    return EXIT.USAGE;
  }
  let ctx: Context | undefined;
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true }) as typeof parsed;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (parsed.values.help) {
      io.stdout.write(commandHelp(group, command));
      return EXIT.OK;
    }
    ctx = createContext(parsed.values, io);
    return await command.run(ctx, parsed.values, parsed.positionals);
  } catch (err) {
    io.stderr.write(`${describeError(err)}\n`);
    if (err instanceof UsageError) io.stderr.write(`Run 'clientele ${group.name} ${command.name} --help' for usage.\n`);
    return exitCodeFor(err);
  }
}
