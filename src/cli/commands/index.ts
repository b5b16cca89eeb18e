/**
 * The remote command groups of `clientele` (they talk to a server through the SDK):
 * `clients`, `keys`, `events`. src/cli/main.ts dispatches here.
 */
import { clientsGroup } from './clients.js';
import { runGroup, type GroupSpec } from './command.js';
import { eventsGroup } from './events.js';
import { keysGroup } from './keys.js';
import type { Io } from './shared.js';

const GROUPS: GroupSpec[] = [clientsGroup, keysGroup, eventsGroup];

export const REMOTE_GROUPS = new Set(GROUPS.map((g) => g.name));

/** Lines for the top-level `clientele help`. */
export const REMOTE_USAGE = `
Remote commands (talk to a server: --url/CLIENTELE_URL, --token/CLIENTELE_TOKEN):
${GROUPS.map((g) => `  ${g.name.padEnd(8)} ${g.commands.map((c) => c.name).join('|')}`).join('\n')}
                        'clientele <group> --help' for details; --json for scripts
`;

const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

/** Runs `clientele <group> …`; resolves with the exit code. */
export function runRemoteCommand(group: string, argv: string[], io: Io = processIo()): Promise<number> {
  const spec = GROUPS.find((g) => g.name === group);
  if (!spec) throw new Error(`not a remote command group: ${group}`);
  return runGroup(spec, argv, io);
}
