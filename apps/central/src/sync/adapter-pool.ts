import pg from 'pg';
import { CONNECT_TIMEOUT_MS, guardPool } from '../platform/index.js';

/**
 * The pool handed to @socket.io/postgres-adapter. The adapter pins one client for LISTEN and, when that
 * connection ends (the database restarted), takes a new one without releasing the dead one: each restart would
 * leak a slot until the pool is empty and broadcasts wait forever. Here a checked-out client whose connection
 * ends goes back to the pool by itself (as broken, so pg drops it); a later release by its holder is a no-op.
 */
export function createAdapterPool(url: string, onError: (err: Error) => void): { pool: pg.Pool; end(): Promise<void> } {
  const pool = guardPool(new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }), onError);
  const facade = {
    query: pool.query.bind(pool),
    async connect(): Promise<pg.PoolClient> {
      const client = await pool.connect();
      const release = client.release;
      let released = false;
      const onEnd = () => client.release(new Error('connection ended'));
      client.release = (err?: Error | boolean) => {
        if (released) return;
        released = true;
        client.removeListener('end', onEnd);
        release(err);
      };
      client.once('end', onEnd);
      return client;
    },
  };
  // The adapter calls only connect() and query(); the cast hands it this narrower object as the pg.Pool it types.
  return { pool: facade as unknown as pg.Pool, end: () => pool.end() };
}
