/**
 * One dedicated PostgreSQL connection that LISTENs on the channels other instances NOTIFY
 * (cache invalidations, webhook deliveries due). If the connection drops it reconnects with
 * back-off; `onLost` and `onListening` let each feature say what the gap means for it (the
 * cache switches itself off; the webhook dispatcher falls back to polling and looks again).
 */
import pg from 'pg';

export interface NotificationListener {
  /** Resolves once the first LISTEN is active. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export interface NotificationListenerOptions {
  connectionString: string;
  /** Channel → handler of its payloads (a handler that throws is reported to onError). */
  channels: Record<string, (payload: string) => void>;
  /** Every (re)connection, once every channel is listened to. */
  onListening?: () => void;
  /** The connection is gone (notifications may be missed until onListening). Also called before the first connection. */
  onLost?: () => void;
  onError?: (err: unknown) => void;
  maxBackoffMs?: number;
}

export function startNotificationListener(options: NotificationListenerOptions): NotificationListener {
  let client: pg.Client | undefined;
  let stopped = false;
  let backoff = 100;
  let timer: NodeJS.Timeout | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const lost = (err?: unknown) => {
    options.onLost?.();
    if (err) options.onError?.(err);
    const c = client;
    client = undefined;
    c?.removeAllListeners();
    c?.end().catch(() => undefined);
    if (!stopped && !timer) {
      timer = setTimeout(() => {
        timer = undefined;
        void connect();
      }, backoff);
      backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 5_000);
    }
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    const c = new pg.Client({ connectionString: options.connectionString, keepAlive: true });
    client = c;
    c.on('error', (err) => lost(err));
    c.on('end', () => {
      if (client === c) lost();
    });
    c.on('notification', (msg) => {
      const handle = options.channels[msg.channel];
      if (!handle) return;
      try {
        handle(msg.payload ?? '');
      } catch (err) {
        options.onError?.(err);
      }
    });
    try {
      await c.connect();
      for (const channel of Object.keys(options.channels)) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      backoff = 100;
      options.onListening?.();
      markReady();
    } catch (err) {
      if (client === c) lost(err);
    }
  }

  options.onLost?.();
  void connect();
  return {
    ready,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      c?.removeAllListeners();
      await c?.end().catch(() => undefined);
    },
  };
}
