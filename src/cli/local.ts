/**
 * The commands that run against the database directly: serve, init,
 * rotate-signing-key, rotate-master-key, seed. Loaded only when one of them runs, so the remote commands
 * (which talk to a server through the SDK) start fast.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createAccount } from '../core/accounts.js';
import { credentialsJson, openRuntime, startServer } from '../server.js';
import { configuredDatabase, openDatabase } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { isNewDataDir, migrateInChild } from './migrate.js';
import { beginKeyFileRotation, finishKeyFileRotation, loadMasterKeyring } from '../crypto/master-key.js';
import { rotateMasterKey } from './rotate-master-key.js';
import { runSeedCommand } from './seed.js';

/**
 * `clientele serve`. A new embedded data directory is created and migrated by a `clientele
 * migrate` child process first (src/cli/migrate.ts says why); `entry` is the command line's
 * own entry file, which the child runs.
 */
export async function serve(entry: string): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl && isNewDataDir(config.dataDir)) await migrateInChild(entry);
  const server = await startServer(config);
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

/**
 * `clientele rotate-master-key`: every sealed value re-wrapped under the new master key, in
 * batches, while other instances serve. Ctrl-C stops between batches; running it again
 * resumes. Exit 0 when nothing is left under another key.
 */
export async function rotateMasterKeyCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'batch-size': { type: 'string' } } });
  const batchSize = Number(values['batch-size'] ?? 500);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error('--batch-size must be an integer from 1 to 10000');
  const config = loadConfig();
  const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);
  const keyFile = !config.databaseUrl && !config.masterKey;
  if (config.databaseUrl && !config.masterKey) throw new Error('CLIENTELE_MASTER_KEY (the new key) is required with DATABASE_URL; put the old one in CLIENTELE_MASTER_KEY_PREVIOUS');
  const database = await openDatabase(configuredDatabase(config));
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await migrateToLatest(database);
    const keyring = keyFile
      ? await beginKeyFileRotation(config.dataDir, warn)
      : await loadMasterKeyring({ masterKey: config.masterKey!, ...(config.masterKeyPrevious ? { previousKeys: config.masterKeyPrevious } : {}), warn });
    const tty = process.stderr.isTTY === true;
    const summary = await rotateMasterKey(database.db, keyring, {
      batchSize,
      signal: stop.signal,
      onProgress: (p) => {
        if (tty) process.stderr.write(`\r\x1b[2K${p.label}: ${p.done}/${p.total}`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[2K');
    for (const r of summary.rewrapped) process.stdout.write(`${r.label}: ${r.count} re-wrapped\n`);
    if (summary.remaining > 0) {
      process.stdout.write(`${summary.remaining} value(s) are still under another key${stop.signal.aborted ? ' (interrupted)' : ' (held by a serving instance)'}: run the command again to finish.\n`);
      return 1;
    }
    if (keyFile) await finishKeyFileRotation(config.dataDir);
    process.stdout.write(
      keyFile
        ? `Every sealed value is under the new key (${summary.primaryKeyId}), now the data directory's key file.\n`
        : `Every sealed value is under the key ${summary.primaryKeyId}: CLIENTELE_MASTER_KEY_PREVIOUS can be removed from every instance.\n`,
    );
    return 0;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await database.close();
  }
}
