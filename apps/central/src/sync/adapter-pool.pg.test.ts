import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/support/wait.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';
import { createAdapterPool } from './adapter-pool.js';

// The socket.io adapter pins a LISTEN client and, when its connection ends, takes another without releasing the
// dead one. The adapter's pool must get that slot back by itself, or three database restarts empty it for good.

describe('socket.io adapter pool', () => {
  it('a pinned client whose connection the server ends goes back to the pool; every slot stays usable', async () => {
    const { db, close } = await openMigratedTestDatabase(2);
    const errors: Error[] = [];
    const adapter = createAdapterPool(db.url, (err) => errors.push(err));
    try {
      // Three times what the adapter does on a restart: check out, LISTEN, lose the connection, never release.
      for (let round = 0; round < 3; round++) {
        const pinned = await adapter.pool.connect();
        await pinned.query('LISTEN outpost_test');
        const pid = (await pinned.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const ended = new Promise((r) => pinned.once('end', r));
        await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
        await ended;
      }
      // All three slots (max 3) are free again: three clients at once, each answering.
      const clients = await waitFor(async () => Promise.all([adapter.pool.connect(), adapter.pool.connect(), adapter.pool.connect()]), { timeoutMs: 30_000, what: 'three free slots in the adapter pool' });
      for (const c of clients) expect((await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      for (const c of clients) c.release();
      expect(errors.length).toBeGreaterThan(0); // the FATAL of each termination reached the listener, not the process
    } finally {
      await adapter.end();
      await close();
    }
  });
});
