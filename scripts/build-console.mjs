/**
 * The admin console's bundle (web/): one script and one style sheet with content hashes in
 * their names, an index.html that names them, and a Brotli and a gzip copy of each text file,
 * so the server answers from memory with no compression work per request.
 *
 * scripts/build.mjs calls this (so `npm start` always serves the current console); the
 * browser tests call it for a bundle of their own.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the console into `outdir` (emptied first); resolves with the files written (relative names). */
export async function buildConsole(outdir) {
  await rm(outdir, { recursive: true, force: true });
  const assets = path.join(outdir, 'assets');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { console: 'web/main.tsx' },
    outdir: assets,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    // Pages that need a large library (the usage charts) load it when first shown.
    splitting: true,
    chunkNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    tsconfig: 'web/tsconfig.json',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const relative = (f) => path.relative(outdir, path.resolve(root, f));
  const outputs = Object.keys(result.metafile.outputs).map(relative);
  const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === 'web/main.tsx');
  const script = entry && relative(entry[0]);
  const style = entry?.[1].cssBundle && relative(entry[1].cssBundle);
  if (!script || !style) throw new Error(`build-console: expected one script and one style sheet, got ${outputs.join(', ')}`);
  const template = await readFile(path.join(root, 'web', 'index.html'), 'utf8');
  // The chunks the entry imports statically load with it: fetched in parallel, not one after another.
  const preload = entry[1].imports
    .filter((i) => i.kind === 'import-statement' && !i.external)
    .map((i) => `<link rel="modulepreload" href="/console/${relative(i.path)}">`)
    .join('\n    ');
  const html = template.replace('%SCRIPT%', `/console/${script}`).replace('%STYLE%', `/console/${style}`).replace('%PRELOAD%', preload);
  await writeFile(path.join(outdir, 'index.html'), html);
  const files = ['index.html', ...outputs];
  for (const file of files) {
    if (!/\.(html|js|css|txt|svg)$/.test(file)) continue;
    const body = await readFile(path.join(outdir, file));
    await writeFile(path.join(outdir, `${file}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    await writeFile(path.join(outdir, `${file}.gz`), gzipSync(body, { level: 9 }));
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildConsole(path.resolve(root, process.argv[2] ?? 'dist/console'));
  process.stdout.write(`${files.join('\n')}\n`);
}
