#!/usr/bin/env node
/**
 * `npm run build`: bundles the server and command line (src/cli/main.ts and everything it
 * imports, npm packages left external) into dist/ with esbuild, copies the SQL migrations
 * next to it, and builds the admin console (web/) into dist/console/ (build-console.mjs). `npm start` runs this first (it takes well under a second), so
 * the server always runs the current sources as plain JavaScript: no TypeScript loader in
 * the process, about 45 MB less RSS and a faster start than running src/ through tsx.
 *
 *   node scripts/build.mjs [outdir]      (default: dist)
 */
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildConsole } from './build-console.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(root, process.argv[2] ?? 'dist');

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  // Dependencies stay in node_modules (native modules, PGlite's WebAssembly, swagger-ui's assets).
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The command line loads its database commands lazily: keep them in their own chunks.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  // No keepNames: it wraps every function created at run time in a defineProperty call
  // (measured: about 1 % of a cached verification). The names that matter are set explicitly.
  logLevel: 'warning',
  metafile: true,
});
// src/storage/migrate.ts reads ./migrations/*.sql next to itself: copy them next to the
// output file that holds it.
const sql = path.join(root, 'src', 'storage', 'migrations');
const holders = Object.entries(result.metafile.outputs).filter(([, o]) => 'src/storage/migrate.ts' in o.inputs);
if (holders.length === 0) throw new Error('build: no output holds src/storage/migrate.ts');
for (const [file] of holders) {
  const dir = path.join(root, path.dirname(file), 'migrations');
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(sql)) if (f.endsWith('.sql')) await cp(path.join(sql, f), path.join(dir, f));
}
await buildConsole(path.join(outdir, 'console'));
