/**
 * `clientele migrate`: applies the database migrations and exits — on PostgreSQL, or in the
 * embedded data directory, which it creates (owner-only) when missing.
 *
 * `clientele serve` runs it as a short-lived child process when the embedded data directory
 * is new: creating a cluster (initdb runs a second WebAssembly instance beside the engine) and
 * migrating it is the embedded engine's memory peak, and memory a process has touched mostly
 * stays in its RSS. In the child it goes back to the system when the child exits; the server
 * then opens the ready directory. Loads only what migrating needs, not the HTTP server.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { restrictDataDir, restrictUmask } from '../storage/data-dir.js';
import { clusterDir, configuredDatabase, openDatabase } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';

/** Applies the migrations of the configured database; returns the names applied. */
export async function migrate(config: Config): Promise<string[]> {
  if (!config.databaseUrl) {
    // Owner-only before anything is written, master.key's directory included (see data-dir.ts).
    restrictUmask();
    await restrictDataDir(config.dataDir);
  }
  const database = await openDatabase(configuredDatabase(config));
  try {
    return await migrateToLatest(database);
  } finally {
    await database.close();
  }
}

/** Whether the embedded data directory holds no database cluster yet. */
export function isNewDataDir(dataDir: string): boolean {
  return !existsSync(join(clusterDir(dataDir), 'PG_VERSION'));
}

/**
 * Runs `clientele migrate` in a child process: the same Node.js binary, by default the same
 * flags (`process.execArgv`: a TypeScript loader included when the sources run through tsx)
 * and environment, and the command line's entry file `entry` (dist/main.js, bin/clientele.mjs
 * or src/cli/main.ts). Rejects with the child's output when it fails.
 */
export function migrateInChild(entry: string, how: { execArgv?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  const { execArgv = process.execArgv, env = process.env } = how;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, entry, 'migrate'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-16_384);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`clientele migrate (child process) failed (${signal ?? `exit ${code}`}): ${output.trim()}`));
    });
  });
}
