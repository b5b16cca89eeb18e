/**
 * Memory of the streamed CCM19 list over the 1,000,000-client bench database
 * (`npm run bench:seed` first): RSS of the server (started as `npm start` starts it) at ready
 * and at its peak while one client downloads the whole `GET /hosting/api/client` array.
 * Run: `node --import tsx bench/ccm19-list.ts`.
 */
import { dropRunKey, fixture } from './fixtures.js';
import { BENCH_CLIENTS, BENCH_DB, BENCH_MASTER_KEY } from './lib/database.js';
import { startClientele } from './lib/processes.js';

const f = await fixture(BENCH_DB, BENCH_CLIENTS, 1);
const server = await startClientele({ DATABASE_URL: f.url, CLIENTELE_MASTER_KEY: BENCH_MASTER_KEY, CLIENTELE_WEBHOOK_DISPATCH: 'false' });
try {
  const t0 = Date.now();
  const timer = setInterval(() => server.sampleRss(), 100);
  const res = await fetch(`${server.url}/hosting/api/client?apiKey=${f.accountToken}`, { signal: AbortSignal.timeout(240_000) });
  let bytes = 0;
  let braces = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 0x7d) braces++;
  }
  clearInterval(timer);
  server.sampleRss();
  console.log(
    JSON.stringify({
      status: res.status,
      seconds: (Date.now() - t0) / 1000,
      MB: Math.round(bytes / 1e6),
      objectsClosed: braces,
      rssAtReadyMB: Math.round(server.readyRssMb),
      rssPeakMB: Math.round(server.peakRssMb),
    }),
  );
} finally {
  await server.stop();
  await dropRunKey(f);
}
