/**
 * The commands that run against the database directly: serve, migrate, init,
 * rotate-signing-key, seed. Loaded only when one of them runs, so the remote commands
 * (which talk to a server through the SDK) start fast.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createAccount } from '../core/accounts.js';
import { credentialsJson, openRuntime, startServer } from '../server.js';
import { openDatabase } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { runSeedCommand } from './seed.js';

export async function serve(): Promise<void> {
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

export async function migrate(): Promise<void> {
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

export async function init(args: string[]): Promise<void> {
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
    else process.stdout.write(`Account ${out.accountId} created.\n` + `Admin user: ${out.user.email} / ${out.user.password}\n` + `Primary API key (shown once): ${out.apiKey.token}\n`);
  } finally {
    await runtime.close();
  }
}

export async function rotateSigningKey(): Promise<void> {
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

export async function seed(args: string[]): Promise<number> {
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
