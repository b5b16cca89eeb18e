/**
 * The `clientele` command line: serve, migrate, init, rotate-signing-key, rotate-master-key, seed.
 */
import { REMOTE_GROUPS, REMOTE_USAGE, runRemoteCommand } from './commands/index.js';
import { SEED_USAGE } from './seed-usage.js';

const local = () => import('./local.js');

const USAGE = `Usage: clientele <command> [options]

Commands:
  serve                 Run the server (PORT, HOST, DATABASE_URL … see README)
  migrate               Apply database migrations and exit
  init [--account NAME] [--email E] [--password P] [--json]
                        Create an account, its admin user and its primary API key
  rotate-signing-key    Start a new JWT signing key; the old one stays published
                        until the last refresh token it signed has expired
  rotate-master-key [--batch-size N]
                        Re-wrap every sealed value under CLIENTELE_MASTER_KEY (the old key in
                        CLIENTELE_MASTER_KEY_PREVIOUS); online and resumable. Embedded without
                        CLIENTELE_MASTER_KEY: re-keys the data directory's key file (server stopped)
${SEED_USAGE}  help                  Show this help
${REMOTE_USAGE}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await (await local()).serve(process.argv[1]!);
      return -1; // keeps running
    case 'migrate': {
      const [{ loadConfig }, { migrate }] = await Promise.all([import('../config.js'), import('./migrate.js')]);
      const applied = await migrate(loadConfig());
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Already up to date\n');
      return 0;
    }
    case 'init':
      await (await local()).init(rest);
      return 0;
    case 'rotate-signing-key':
      await (await local()).rotateSigningKey();
      return 0;
    case 'rotate-master-key':
      return (await local()).rotateMasterKeyCommand(rest);
    case 'seed':
      return (await local()).seed(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      if (REMOTE_GROUPS.has(command)) return runRemoteCommand(command, rest);
      process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

const code = await main(process.argv.slice(2)).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`error: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
  return 1;
});
if (code >= 0) process.exit(code);
