import pg from 'pg';

/**
 * The connection pool; one per central instance, never module-global. Central speaks SQL through pg directly
 * (set-based statements, row locks); drizzle holds the schema (schema.ts) and makes and applies the migrations.
 */
export interface Database {
  readonly url: string;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  /** Pool size; ingest holds one connection per in-flight batch. */
  max?: number;
  onError?: (err: Error) => void;
}

/**
 * How long a caller waits for a pool connection. Without a bound, a database that is gone (or a pool emptied by
 * connections stuck in a dead server) keeps requests, readiness checks and ingest waiting forever; with it they
 * fail, answer 503 or "nothing stored, send again", and try again later.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Make a pool survive its server going away (kill -9, restart, network cut). pg emits 'error' on the pool for an
 * idle client, but a checked-out client (between two queries of a transaction, or pinned for LISTEN) emits it on
 * itself, and an 'error' event nobody listens to ends the process. So every client gets a listener for its whole
 * life; its next query then fails, its holder rolls back, and pg drops the broken client on release.
 */
export function guardPool(pool: pg.Pool, onError: (err: Error) => void): pg.Pool {
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

export function openDatabase(opts: DatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.max ?? 20, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  guardPool(pool, (err) => opts.onError?.(err));
  let closed = false;
  return {
    url: opts.url,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** Run `fn` in one transaction on one pooled client; rolls back on any throw. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Anything that can run a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** pg returns int8 as strings (they may exceed 2^53); our counters stay far below, so convert at the edge. */
export function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

export function toIso(v: Date | string | null): string | null {
  if (v === null) return null;
  return (v instanceof Date ? v : new Date(v)).toISOString();
}
