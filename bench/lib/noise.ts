/**
 * Noise: other processes on the machine (tests, builds) and the hypervisor take CPU from a
 * run; these measure it, and wait for a quiet moment.
 */
import { readFileSync } from 'node:fs';
import { sleep } from './processes.js';

function cpuTimes(): { busy: number; total: number; steal: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total, steal: f[7] ?? 0 };
}

/**
 * Measures the share of CPU time the hypervisor gave to other machines ("steal", 0–100 %)
 * while `fn` runs: on a shared virtual machine it lowers every figure of that run.
 */
export async function withSteal<T>(fn: () => Promise<T>): Promise<{ value: T; stealPct: number }> {
  let a: ReturnType<typeof cpuTimes> | undefined;
  try {
    a = cpuTimes();
  } catch {
    a = undefined;
  }
  const value = await fn();
  if (!a) return { value, stealPct: NaN };
  const b = cpuTimes();
  return { value, stealPct: b.total > a.total ? ((b.steal - a.steal) / (b.total - a.total)) * 100 : 0 };
}

/** Share of the machine's CPU (0–100 %) busy over `ms` (while our own processes are idle). */
async function backgroundCpu(ms = 500): Promise<number> {
  try {
    const a = cpuTimes();
    await sleep(ms);
    const b = cpuTimes();
    return b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 : 0;
  } catch {
    return NaN;
  }
}

/**
 * Waits (at most `maxWaitMs`, and at most BENCH_QUIET_BUDGET_MS — default 90 s — over the
 * whole suite) until other processes use less than `thresholdPct` of the CPU, and returns
 * the last reading, so each result can say how quiet the machine was.
 */
let quietBudgetMs = Number(process.env.BENCH_QUIET_BUDGET_MS ?? 90_000);

export async function waitForQuiet(maxWaitMs = 20_000, thresholdPct = 15): Promise<number> {
  const start = performance.now();
  const deadline = start + Math.min(maxWaitMs, quietBudgetMs);
  let pct = await backgroundCpu();
  while (pct >= thresholdPct && performance.now() < deadline) pct = await backgroundCpu(1000);
  quietBudgetMs = Math.max(0, quietBudgetMs - (performance.now() - start));
  return pct;
}
