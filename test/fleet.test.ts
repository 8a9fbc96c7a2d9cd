import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { e2eContext } from './support/e2e.js';
import { enrolFleet, SimFleet } from './support/fleet.js';
import { ADMIN_TOKEN, startCentral } from './support/procs.js';
import { waitFor } from './support/wait.js';

const AGENTS = 300;
/** One address enrols the whole fleet: the per-address and per-token limits are raised for it. */
const CENTRAL_ENV = { OUTPOST_RATE_ENROLL: '1000000', OUTPOST_RATE_PER_TOKEN: '1000000' };

describe(`${AGENTS} agents on one central`, () => {
  const { fx, dbUrl } = e2eContext();

  it('all connect, survive a kill -9 of central with a sale in flight, and store one sale and apply one command each, exactly once', async () => {
    const dataDir = fx.tempDir('outpost-central-');
    const first = await startCentral(fx, { databaseUrl: dbUrl(), dataDir, env: CENTRAL_ENV });
    const members = await enrolFleet(first.url, ADMIN_TOKEN, AGENTS);
    const fleet = await SimFleet.start({ centralUrl: first.url, members, processes: 2, reconnect: { minMs: 200, maxMs: 2000 }, adopt: (p) => fx.adopt(p) });
    const db = new pg.Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      await waitFor(() => fleet.ready === AGENTS, { timeoutMs: 120_000, what: `${AGENTS} hellos` });

      // Every store sells; central dies at once (some batches stored and not acked, some not sent yet).
      fleet.sale();
      await first.proc.kill9();
      fleet.resetReady();
      const central = await startCentral(fx, { databaseUrl: dbUrl(), dataDir, port: first.port, env: CENTRAL_ENV });
      await waitFor(() => fleet.ready === AGENTS, { timeoutMs: 120_000, what: `${AGENTS} agents back after the restart` });
      await waitFor(async () => (await fleet.status()).pendingUp === 0, { timeoutMs: 120_000, what: 'every sale acked' });

      const put = await central.api.put('/items/SKU-FLEET', { name: 'Fleet price', price: 999, currency: 'EUR' });
      expect(put.status).toBe(200);
      await waitFor(async () => {
        const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM devices WHERE applied_command_seq = 1');
        return r.rows[0]!.n === AGENTS;
      }, { timeoutMs: 120_000, what: 'central to record every store’s ack of the command' });

      expect(fleet.refused).toEqual([]);
      const stored = await db.query<{ store_id: string; n: number; seqs: number[] }>(
        'SELECT store_id, count(*)::int AS n, array_agg(seq::int) AS seqs FROM events GROUP BY store_id',
      );
      expect(stored.rows).toHaveLength(AGENTS);
      expect(stored.rows.filter((r) => r.n !== 1 || r.seqs[0] !== 1)).toEqual([]);
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM quarantine')).rows[0]!.n).toBe(0);
      // An ack is seen at most once per sale (a sale stored just before the crash is acked by the next hello).
      for (const m of members) expect(fleet.acked.get(m.storeId)?.length ?? 0).toBeLessThanOrEqual(1);
      const receipts = members.map((m) => fleet.commands.get(m.storeId)?.map(([seq]) => seq) ?? []);
      expect(receipts.filter((r) => r.length !== 1 || r[0] !== 1)).toEqual([]);
      await fleet.close();
    } finally {
      await db.end();
    }
  });
});
