import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema.js';

export type Orm = NodePgDatabase<typeof schema>;

/** The connection pool plus the drizzle handle over it; one per central instance, never module-global. */
export interface Database {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly orm: Orm;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  /** Pool size; ingest holds one connection per in-flight batch. */
  max?: number;
  onError?: (err: Error) => void;
}

export function openDatabase(opts: DatabaseOptions): Database {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.max ?? 20 });
  // An idle client losing its server (restart, network) must not crash the process: pg emits it on the pool.
  pool.on('error', (err) => opts.onError?.(err));
  // A checked-out client whose server goes away emits 'error' on itself, not on the pool; unheard, it would end
  // the process. The query in flight fails on its own and the client is discarded when released with the error.
  pool.on('connect', (client) => client.on('error', (err) => opts.onError?.(err)));
  const orm = drizzle(pool, { schema });
  let closed = false;
  return {
    url: opts.url,
    pool,
    orm,
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
