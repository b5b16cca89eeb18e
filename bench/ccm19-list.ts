/**
 * Memory of the streamed CCM19 list over the 1,000,000-client bench database
 * (`npm run bench:seed` first): RSS of the server at ready and at its peak while one client
 * downloads the whole `GET /hosting/api/client` array. Run: `node --import tsx bench/ccm19-list.ts`.
 */
import { spawn } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import { openRuntime } from '../src/server.js';
import { createKey } from '../src/core/api-keys.js';
import { BENCH_DB, BENCH_EMAIL, BENCH_MASTER_KEY, dbUrl } from './lib.js';
const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
const url = dbUrl(BENCH_DB);
const mk = BENCH_MASTER_KEY;
const rt = await openRuntime(loadConfig({ DATABASE_URL: url, CLIENTELE_MASTER_KEY: mk }), () => {});
const user = await rt.services.ctx.store.users.findByEmail(BENCH_EMAIL);
const issued = await createKey(rt.services.ctx, { kind: 'account', accountId: user!.accountId, actor: { type: 'system', id: 'measure' } }, { name: 'ccm19 memory measurement' });
await rt.close();
const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], { env: { ...process.env, DATABASE_URL: url, CLIENTELE_MASTER_KEY: mk, PORT: '18777', LOG_LEVEL: 'warn', CLIENTELE_WEBHOOK_DISPATCH: 'false' }, stdio: 'ignore' });
const rss = async () => Number((await import('node:fs')).readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;
for (let i = 0; i < 100; i++) { if ((await fetch('http://127.0.0.1:18777/readyz').catch(() => null))?.ok) break; await new Promise(r => setTimeout(r, 200)); }
const before = await rss();
let peak = before; const t0 = Date.now();
const timer = setInterval(async () => { peak = Math.max(peak, await rss()); }, 100);
const res = await fetch(`http://127.0.0.1:18777/hosting/api/client?apiKey=${issued.token}`, { signal: AbortSignal.timeout(240_000) });
let bytes = 0; let braces = 0;
for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) { bytes += chunk.length; for (const b of chunk) if (b === 0x7d) braces++; }
clearInterval(timer);
console.log(JSON.stringify({ status: res.status, seconds: (Date.now() - t0) / 1000, MB: Math.round(bytes / 1e6), objectsClosed: braces, rssAtReadyMB: Math.round(before), rssPeakMB: Math.round(peak) }));
child.kill('SIGTERM');
