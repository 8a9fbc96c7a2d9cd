import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../../../test/support/ports.js';
import { openMigratedTestDatabase } from '../../../../../test/support/central-database.js';
import { isDatabaseUnavailable } from './unavailable.js';

// Real errors from node-postgres: a server that is not there, a connection the server ends, a pool wait that
// runs out; against errors of a request (bad SQL, a constraint) and of other systems (an ERP that is down).

async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('database unavailable or not', () => {
  it('is unavailable: nobody listening, the connection killed by the server, the pool wait bounded out', async () => {
    const nobody = new pg.Pool({ connectionString: `postgres://x:y@127.0.0.1:${await freePort()}/z` });
    expect(isDatabaseUnavailable(await caught(nobody.query('SELECT 1')))).toBe(true);
    await nobody.end();

    const { db, close } = await openMigratedTestDatabase(2);
    try {
      const victim = await db.pool.connect();
      victim.on('error', () => {}); // the FATAL arrives on the client too
      const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      const cut = await caught(victim.query('SELECT 1'));
      victim.release(true);
      expect(isDatabaseUnavailable(cut)).toBe(true);

      const tiny = new pg.Pool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 100 });
      const held = await tiny.connect();
      expect(isDatabaseUnavailable(await caught(tiny.query('SELECT 1')))).toBe(true);
      held.release();
      await tiny.end();

      expect(isDatabaseUnavailable(await caught(db.pool.query('SELEC 1')))).toBe(false);
      expect(isDatabaseUnavailable(await caught(db.pool.query('SELECT 1/0')))).toBe(false);
    } finally {
      await close();
    }
    expect(isDatabaseUnavailable(await caught(fetch(`http://127.0.0.1:${await freePort()}/`)))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable('not an error')).toBe(false);
  });
});
