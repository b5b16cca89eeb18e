/**
 * A progress bar on stderr (no dependency). On a terminal it redraws one line at most ten
 * times a second; otherwise (a pipe, a CI log) it prints a line at every 10 % and at the end.
 * The total is an estimate (the input's line count): the bar stops at 99 % until `done`.
 */
interface ProgressState {
  rows: number;
  rejected: number;
}

export interface Progress {
  update(state: ProgressState): void;
  /** Final state: a last line (log) or the cleared bar (terminal), before the summary. */
  done(state: ProgressState): void;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, estimatedRows: number | undefined, enabled: boolean): Progress {
  if (!enabled) return { update() {}, done() {} };
  const started = performance.now();
  let lastDraw = 0;
  let lastDecile = 0;
  let drawn = false;

  const describe = (s: ProgressState, final: boolean) => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 ? s.rows / elapsed : 0;
    const fraction = final ? 1 : estimatedRows ? Math.min(0.99, s.rows / estimatedRows) : undefined;
    const eta = fraction && rate > 0 && estimatedRows ? Math.max(0, estimatedRows - s.rows) / rate : NaN;
    return { fraction, eta, text: `${fmt(s.rows)} rows · ${fmt(rate)} rows/s · ${fmt(s.rejected)} rejected` };
  };
  const logLine = (s: ProgressState, final: boolean) => {
    const d = describe(s, final);
    return `import: ${d.fraction === undefined ? '' : `${Math.floor(d.fraction * 100)}% · `}${d.text}${final ? ` · ${duration((performance.now() - started) / 1000)}` : ''}\n`;
  };

  return {
    update(state) {
      if (stream.isTTY) {
        const now = performance.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        const d = describe(state, false);
        const width = 20;
        const filled = d.fraction === undefined ? 0 : Math.round(d.fraction * width);
        const rate = `${fmt(state.rows / Math.max((now - started) / 1000, 0.001))}/s`;
        const line =
          d.fraction === undefined
            ? `${fmt(state.rows)} rows · ${rate} · ${fmt(state.rejected)} rejected`
            : `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.floor(d.fraction * 100)).padStart(2)}% ${fmt(state.rows)}/${fmt(estimatedRows!)} · ${rate} · ETA ${duration(d.eta)} · ${fmt(state.rejected)} rejected`;
        stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
        drawn = true;
        return;
      }
      const fraction = describe(state, false).fraction;
      const decile = fraction === undefined ? Math.floor(state.rows / 10_000) : Math.floor(fraction * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(logLine(state, false));
      }
    },
    done(state) {
      if (stream.isTTY) {
        if (drawn) stream.write('\r\x1b[K');
        return;
      }
      stream.write(logLine(state, true));
    },
  };
}

/** Counts line feeds in a file (fast: a byte scan), as the row estimate of the progress bar. */
export async function countLines(chunks: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  let last = 0x0a;
  for await (const chunk of chunks) {
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) n++;
    if (chunk.length) last = chunk[chunk.length - 1]!;
  }
  return last === 0x0a ? n : n + 1;
}
