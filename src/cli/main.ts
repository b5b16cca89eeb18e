/**
 * The `clientele` command line: serve, migrate, init, rotate-signing-key, seed.
 */
import { parseArgs } from 'node:util';
import { createAccount } from '../core/accounts.js';
import { loadConfig } from '../config.js';
import { credentialsJson, openRuntime, startServer } from '../server.js';
import { openDatabase } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { REMOTE_GROUPS, REMOTE_USAGE, runRemoteCommand } from './commands/index.js';
import { runSeedCommand, SEED_USAGE } from './seed.js';

const USAGE = `Usage: clientele <command> [options]

Commands:
  serve                 Run the server (PORT, HOST, DATABASE_URL … see README)
  migrate               Apply database migrations and exit
  init [--account NAME] [--email E] [--password P] [--json]
                        Create an account, its admin user and its primary API key
  rotate-signing-key    Start a new JWT signing key; the old one stays published
                        until the last refresh token it signed has expired
${SEED_USAGE}  help                  Show this help
${REMOTE_USAGE}`;

async function serve(): Promise<void> {
  const server = await startServer(loadConfig());
  const shutdown = (signal: string) => {
    server.app.log.info({ signal }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (err) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

async function migrate(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const database = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: join(config.dataDir, 'pgdata') });
  try {
    const applied = await migrateToLatest(database);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Already up to date\n');
  } finally {
    await database.close();
  }
}

async function init(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { account: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const runtime = await openRuntime(loadConfig(), (m) => process.stderr.write(`warning: ${m}\n`));
  try {
    const created = await createAccount(runtime.services.ctx, {
      name: values.account ?? 'Default account',
      email: values.email ?? 'admin@clientele.local',
      ...(values.password ? { password: values.password } : {}),
    });
    const out = credentialsJson(created);
    if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
    else
      process.stdout.write(
        `Account ${out.accountId} created.\n` +
          `Admin user: ${out.user.email} / ${out.user.password}\n` +
          `Primary API key (shown once): ${out.apiKey.token}\n`,
      );
  } finally {
    await runtime.close();
  }
}

async function rotateSigningKey(): Promise<void> {
  const config = loadConfig();
  const runtime = await openRuntime(config, (m) => process.stderr.write(`warning: ${m}\n`));
  try {
    await runtime.services.ctx.tokens.rotate(config.refreshTokenTtl);
    const kids = runtime.services.ctx.tokens.publicKeys().map((k) => k.kid);
    process.stdout.write(`Signing with ${kids[0]}; published: ${kids.join(', ')}\n`);
  } finally {
    await runtime.close();
  }
}

async function seed(args: string[]): Promise<number> {
  return runSeedCommand(args, {
    async open() {
      const runtime = await openRuntime(loadConfig(), (m) => process.stderr.write(`warning: ${m}\n`));
      const ctx = runtime.services.ctx;
      return {
        db: runtime.database.db,
        keyring: runtime.keyring,
        pepper: ctx.pepper,
        findAccountByEmail: async (email) => (await ctx.store.users.findByEmail(email))?.accountId ?? null,
        async createAccount(email) {
          const created = await createAccount(ctx, { name: 'Seed account', email });
          return { accountId: created.account.id, credentials: credentialsJson(created) };
        },
        close: () => runtime.close(),
      };
    },
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return -1; // keeps running
    case 'migrate':
      await migrate();
      return 0;
    case 'init':
      await init(rest);
      return 0;
    case 'rotate-signing-key':
      await rotateSigningKey();
      return 0;
    case 'seed':
      return seed(rest);
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
