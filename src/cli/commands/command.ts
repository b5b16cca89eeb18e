/** A tiny command framework: groups of subcommands, each with its options and its help. */
import { parseArgs } from 'node:util';
import { createContext, describeError, exitCodeFor, EXIT, EXIT_CODES_HELP, GLOBAL_OPTIONS, GLOBAL_OPTIONS_HELP, UsageError, type Context, type Io, type Options, type Values } from './shared.js';

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
