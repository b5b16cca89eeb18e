/**
 * The admin console (web/, built by scripts/build-console.mjs): one page and its hashed
 * assets, read into memory at start-up with their Brotli and gzip copies, served under
 * /console/ by the same process. `/` sends a browser there.
 *
 * - Every path under /console/ that is not an asset answers the page (the console routes in
 *   the browser), `Cache-Control: no-cache`.
 * - Assets carry a content hash in their names: cached for a year, immutable.
 * - A strict Content-Security-Policy: scripts and styles from this origin only (no inline
 *   script or style), no framing, no plugins, connections to this origin only.
 *
 * The console is a client of the native API like any other: it has no route of its own
 * beyond these files, and signs in with the session cookie (native/sessions.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import type { App } from './types.js';

const CONSOLE_PATH = '/console/';

/** The console's Content-Security-Policy: nothing inline, nothing from elsewhere, never framed. */
const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface Asset {
  type: string;
  etag: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/** The built console: its page and its assets by name. */
export interface ConsoleAssets {
  page: Asset;
  assets: ReadonlyMap<string, Asset>;
}

async function readAsset(file: string): Promise<Asset> {
  const identity = await readFile(file);
  const [br, gzip] = await Promise.all([readFile(`${file}.br`).catch(() => undefined), readFile(`${file}.gz`).catch(() => undefined)]);
  return {
    type: TYPES[path.extname(file)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`,
    identity,
    ...(br ? { br } : {}),
    ...(gzip ? { gzip } : {}),
  };
}

/** Reads a built console directory (index.html and assets/), or null when there is none. */
export async function loadConsoleAssets(dir: string): Promise<ConsoleAssets | null> {
  if (!existsSync(path.join(dir, 'index.html'))) return null;
  const assets = new Map<string, Asset>();
  const assetDir = path.join(dir, 'assets');
  for (const name of existsSync(assetDir) ? await readdir(assetDir) : []) {
    if (name.endsWith('.br') || name.endsWith('.gz')) continue;
    assets.set(name, await readAsset(path.join(assetDir, name)));
  }
  return { page: await readAsset(path.join(dir, 'index.html')), assets };
}

/** The best encoding the request accepts among those the asset has (RFC 9110 §12.5.3, q=0 refuses). */
function encodingFor(request: FastifyRequest, asset: Asset): 'br' | 'gzip' | undefined {
  const header = request.headers['accept-encoding'];
  if (typeof header !== 'string') return undefined;
  const accepted = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  if (asset.br && accepted.has('br')) return 'br';
  if (asset.gzip && (accepted.has('gzip') || accepted.has('*'))) return 'gzip';
  return undefined;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string) {
  reply.headers(PAGE_HEADERS);
  reply.header('content-type', asset.type);
  reply.header('cache-control', cacheControl);
  reply.header('etag', asset.etag);
  if (asset.br || asset.gzip) reply.header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  const encoding = encodingFor(request, asset);
  if (encoding) reply.header('content-encoding', encoding);
  return reply.send(encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : asset.identity);
}

const hidden = { hide: true } as const;

/**
 * Serves the console, or — when it was not built (running from the sources without a build) —
 * answers its paths with a 404 that says how to build it.
 */
export function registerConsole(app: App, built: ConsoleAssets | null): void {
  const config = { auth: false } as const;
  app.get('/', { config, schema: hidden }, async (_request, reply) => reply.redirect(CONSOLE_PATH, 302));
  app.get('/console', { config, schema: hidden }, async (_request, reply) => reply.redirect(CONSOLE_PATH, 301));
  if (!built) {
    app.get('/console/*', { config, schema: hidden }, async () => {
      throw new AppError('NOT_FOUND', 'The admin console is not built: run `npm run build` (npm start does), or start the server from the build in dist/');
    });
    return;
  }
  app.get<{ Params: { file: string } }>('/console/assets/:file', { config, schema: hidden }, async (request, reply) => {
    const asset = built.assets.get(request.params.file);
    if (!asset) throw new AppError('NOT_FOUND', 'No such console asset (the console was rebuilt: reload the page)');
    return send(request, reply, asset, 'public, max-age=31536000, immutable');
  });
  app.get('/console/*', { config, schema: hidden }, async (request, reply) => send(request, reply, built.page, 'no-cache'));
}
