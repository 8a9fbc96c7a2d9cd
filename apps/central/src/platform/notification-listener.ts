import pg from 'pg';

export interface ListenerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface NotificationListenerOptions {
  url: string;
  channels: readonly string[];
  onNotify: (channel: string, payload: string) => void;
  /** After a reconnect: notifications sent while we were away are lost, so callers catch up. */
  onReconnect: () => void;
  log: ListenerLog;
}

export interface NotificationListener {
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One dedicated connection per central process LISTENing on the given channels. pg_notify is sent inside the
 * writing transaction, so it arrives only after COMMIT and reaches every central node on the database.
 */
export function createNotificationListener(opts: NotificationListenerOptions): NotificationListener {
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 500;
  let timer: NodeJS.Timeout | null = null;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: opts.url });
    c.on('notification', (n) => opts.onNotify(n.channel, n.payload ?? ''));
    // Events of a client that is not (yet, or any more) the live one are ignored by lost().
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, null));
    try {
      await c.connect();
      for (const ch of opts.channels) await c.query(`LISTEN ${pg.escapeIdentifier(ch)}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    client = c;
  }

  function lost(c: pg.Client, err: Error | null): void {
    if (closed || client !== c) return;
    client = null;
    opts.log.warn({ err }, 'notification listener lost its connection; reconnecting');
    c.end().catch(() => undefined);
    retry();
  }

  function retry(): void {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      connect()
        .then(() => {
          retryMs = 500;
          opts.log.info({}, 'notification listener reconnected');
          opts.onReconnect();
        })
        .catch((err: unknown) => {
          opts.log.warn({ err }, 'notification listener reconnect failed');
          retryMs = Math.min(retryMs * 2, 30_000);
          retry();
        });
    }, retryMs);
  }

  return {
    start: connect,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
