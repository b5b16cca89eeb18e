// Load generator fallback when `wrk` is not installed: autocannon in its own process.
// Usage: node bench/autocannon-runner.mjs <spec.json>   (spec: see LoadSpec in bench/lib/load.ts)
// Prints one line `BENCH_JSON {...}` with rps, latency percentiles (ms) and errors.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let i = 0;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.seconds,
  timeout: 10,
  requests: [
    {
      setupRequest(req) {
        const r = spec.requests[i++ % spec.requests.length];
        return { ...req, method: r.method, path: r.path, headers: { ...(r.headers ?? {}) }, body: r.body };
      },
    },
  ],
});
const out = {
  rps: result.requests.total / (result.duration ?? spec.seconds),
  requests: result.requests.total,
  p50ms: result.latency.p50,
  p90ms: result.latency.p90,
  p99ms: result.latency.p99,
  maxms: result.latency.max,
  errors: result.errors + result.timeouts + result.non2xx,
  // Separately, for runs that judge timeouts and successes apart (bench/mixed-load.ts).
  timeouts: result.timeouts,
  ok: result['2xx'],
  non2xx: result.non2xx,
};
process.stdout.write(`\nBENCH_JSON ${JSON.stringify(out)}\n`);
