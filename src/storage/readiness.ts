/**
 * The database check behind `/readyz`. It must not queue behind the requests: on the shared
 * pool a `select 1` waited for a free connection like any request, and under load took
 * seconds, so an orchestrator would have pulled a healthy instance. On PostgreSQL the probe
 * has a connection of its own (opened on first use, reopened after a failure); on the
 * embedded engine, which has a single connection, it goes through the pool. Either way it
 * answers within `timeoutMs`: false when the database did not answer `select 1` in time.
 */
import pg from 'pg';

export interface ReadinessProbe {
  /** True when the database answered `select 1` within the timeout. Concurrent calls share one check. */
  check(): Promise<boolean>;
  close(): Promise<void>;
}

export interface ReadinessProbeOptions {
  /** PostgreSQL: the probe opens its own connection to this URL. */
  databaseUrl?: string;
  /** Without a URL (embedded engine): the pool to ping. */
  pool?: pg.Pool;
  /** Longest a check may take, connecting included (default 800 ms: an answer well within 1 s). */
  timeoutMs?: number;
}

class ProbeTimeout extends Error {}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createReadinessProbe(options: ReadinessProbeOptions): ReadinessProbe {
  const timeoutMs = options.timeoutMs ?? 800;
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let inflight: Promise<boolean> | undefined;
  let closed = false;

  /** Forgets the dedicated connection (not awaited: a hung socket must not hold the check). */
  function drop(c: pg.Client | undefined): void {
    if (!c) return;
    if (client === c) client = undefined;
    c.removeAllListeners('error');
    c.on('error', () => undefined);
    void c.end().catch(() => undefined);
  }

  function connection(url: string): Promise<pg.Client> {
    if (client) return Promise.resolve(client);
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, keepAlive: true });
      c.on('error', () => drop(c));
      c.on('end', () => {
        if (client === c) client = undefined;
      });
      try {
        await c.connect();
      } catch (err) {
        drop(c);
        throw err;
      }
      if (closed) {
        drop(c);
        throw new Error('probe closed');
      }
      client = c;
      return c;
    })().finally(() => (connecting = undefined));
    return connecting;
  }

  async function once(): Promise<boolean> {
    if (closed) return false;
    if (options.databaseUrl) {
      const url = options.databaseUrl;
      let used: pg.Client | undefined;
      try {
        await within(
          (async () => {
            used = await connection(url);
            await used.query('select 1');
          })(),
          timeoutMs,
        );
        return true;
      } catch {
        // A connection that did not answer in time may be half-dead: start afresh next time.
        drop(used ?? client);
        return false;
      }
    }
    if (!options.pool) throw new Error('createReadinessProbe needs databaseUrl or pool');
    try {
      await within(options.pool.query('select 1'), timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  return {
    check() {
      inflight ??= once().finally(() => (inflight = undefined));
      return inflight;
    },
    async close() {
      closed = true;
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
