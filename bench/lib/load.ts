/**
 * Load generation: Debian `wrk` when installed, else `autocannon` from devDependencies (in a
 * process of its own); and what the machine is, for the figures' headers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './processes.js';

export interface Req {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSpec {
  url: string;
  /** Sent in turn (request i uses requests[i mod n]), so a list longer than the run never repeats. */
  requests: Req[];
  connections: number;
  seconds: number;
}

export interface LoadResult {
  tool: string;
  rps: number;
  requests: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxms: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
  /** Of `errors`: requests without an answer within 10 s (autocannon only). */
  timeouts?: number;
  /** Answers with a 2xx status (autocannon only). */
  ok?: number;
  /** Of `errors`: answers with a non-2xx status (autocannon only). */
  non2xx?: number;
  /** CPU used by other processes just before the run (%, see waitForQuiet). */
  backgroundCpu?: number;
  /** CPU time taken by the hypervisor for other machines during the run (%, see withSteal). */
  stealPct?: number;
}

export function loadTool(): 'wrk' | 'autocannon' {
  if (process.env.BENCH_LOADGEN === 'autocannon') return 'autocannon';
  return spawnSync('which', ['wrk']).status === 0 ? 'wrk' : 'autocannon';
}

/**
 * The wrk script: requests are read from a data file in init() (wrk.host, the Host header,
 * is not known while the script loads; and tens of thousands of literals would overflow a
 * Lua function's constant table). One request per line: method, path, body ("-" = none),
 * then header name/value pairs, tab-separated.
 */
function wrkScript(dataFile: string): string {
  return `local reqs = {}
init = function(args)
  for line in io.lines(${JSON.stringify(dataFile)}) do
    local f = {}
    for field in string.gmatch(line, "[^\t]+") do f[#f + 1] = field end
    local headers = {}
    for k = 4, #f, 2 do headers[f[k]] = f[k + 1] end
    local body = nil
    if f[3] ~= "-" then body = f[3] end
    reqs[#reqs + 1] = wrk.format(f[1], f[2], headers, body)
  end
end
local i = 0
request = function()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("\\nBENCH_JSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"errors\\":%d,\\"p50\\":%d,\\"p90\\":%d,\\"p99\\":%d,\\"max\\":%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;
}

function wrkData(requests: Req[]): string {
  const clean = (s: string) => {
    if (/[\t\n]/.test(s) || s === '') throw new Error(`request field not representable for wrk: ${JSON.stringify(s)}`);
    return s;
  };
  return (
    requests.map((r) => [r.method, clean(r.path), r.body === undefined ? '-' : clean(r.body), ...Object.entries(r.headers ?? {}).flatMap(([k, v]) => [clean(k), clean(v)])].join('\t')).join('\n') +
    '\n'
  );
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited ${code}: ${out.slice(-2000)}`));
    });
  });
}

/** Runs the load generator in its own process against `spec.url`. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clientele-bench-'));
  try {
    if (loadTool() === 'wrk') {
      const script = path.join(dir, 'requests.lua');
      const data = path.join(dir, 'requests.tsv');
      await writeFile(data, wrkData(spec.requests));
      await writeFile(script, wrkScript(data));
      const out = await run('wrk', ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, '--timeout', '10s', '-s', script, spec.url], (spec.seconds + 30) * 1000);
      const m = /BENCH_JSON (\{.*\})/.exec(out);
      if (!m) throw new Error(`wrk printed no result:\n${out}`);
      const j = JSON.parse(m[1]!) as Record<string, number>;
      return {
        tool: 'wrk',
        rps: j.requests! / (j.duration_us! / 1e6),
        requests: j.requests!,
        p50ms: j.p50! / 1000,
        p90ms: j.p90! / 1000,
        p99ms: j.p99! / 1000,
        maxms: j.max! / 1000,
        errors: j.errors!,
      };
    }
    const config = path.join(dir, 'requests.json');
    await writeFile(config, JSON.stringify(spec));
    const out = await run(process.execPath, [path.join(ROOT, 'bench', 'autocannon-runner.mjs'), config], (spec.seconds + 30) * 1000);
    const m = /BENCH_JSON (\{.*\})/.exec(out);
    if (!m) throw new Error(`autocannon printed no result:\n${out}`);
    return { tool: 'autocannon', ...(JSON.parse(m[1]!) as Omit<LoadResult, 'tool'>) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function machine(): { nproc: string; memory: string; cpu: string; node: string; postgres: string; loadgen: string } {
  const sh = (c: string) => spawnSync('sh', ['-c', c], { encoding: 'utf8' }).stdout.trim();
  return {
    nproc: sh('nproc'),
    memory: sh('free -h | sed -n 2p | awk \'{print $2 " total, " $7 " available"}\''),
    cpu: sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").trim(),
    node: process.version,
    postgres: '',
    loadgen: loadTool() === 'wrk' ? sh('wrk -v 2>&1 | head -1') : `autocannon ${JSON.parse(readFileSync(path.join(ROOT, 'node_modules/autocannon/package.json'), 'utf8')).version as string}`,
  };
}
