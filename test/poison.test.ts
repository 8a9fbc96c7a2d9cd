import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { e2eContext, waitDrained } from './support/e2e.js';
import { allEvents, enrollAgent, startAgent, startCentral } from './support/procs.js';
import { captureMany } from './support/capture.js';
import { appendRawOutboxEvent } from './support/agent-db.js';

// Issue 11, case 3, with real processes: poison events that an older agent build wrote into its outbox (the
// capture schema refuses them today, so the test writes the rows itself) are quarantined at central with a reason,
// the events behind them are stored, and the store's stream is never blocked.

interface QuarantineItem {
  seq: number;
  eventId: string | null;
  error: string;
  status: string;
}

const STORE = 'store-poison';

describe('poison events', () => {
  const { fx, dbUrl } = e2eContext();

  it('out-of-range values, unstorable text, deep nesting and a row the database refuses are quarantined; the store moves on', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, STORE, dataDir);
    await central.proc.stop();
    // Something the rules do not foresee that the database still refuses: a constraint stands in for it.
    const admin = new pg.Client({ connectionString: dbUrl() });
    await admin.connect();
    await admin.query(`ALTER TABLE inventory_movements ADD CONSTRAINT test_no_poison CHECK (sku <> 'POISON')`);
    await admin.end();

    let agent = await startAgent(fx, { dataDir });
    // Today's capture refuses such a sale at the till, in the house error shape.
    const refused = await agent.api.post<{ error: { code: string; details: { path: string }[] } }>('/sales', {
      transactionId: 'T-HUGE',
      lines: [{ sku: 'A', qty: 3_000_000_000, unitPrice: 1 }],
      tenders: [],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d) => d.path)).toContain('lines.0.qty');
    await captureMany(agent, 5);
    await agent.proc.stop();

    const sale = (id: string, sku: string, qty: number) => (env: Record<string, unknown>) => {
      env.type = 'sale.completed';
      env.payload = { transactionId: id, businessDate: '2026-11-23', currency: 'EUR', lines: [{ sku, qty, unitPrice: 1 }], tenders: [] };
    };
    const poison = {
      huge: appendRawOutboxEvent(dataDir, sale('T-P1', 'A', 3_000_000_000)),
      big1: appendRawOutboxEvent(dataDir, sale('T-P2', 'BIG', 1_500_000_000)),
      big2: appendRawOutboxEvent(dataDir, sale('T-P3', 'BIG', 1_500_000_000)),
      nul: appendRawOutboxEvent(dataDir, sale('T-P4', '\u0000', 1)),
      count: appendRawOutboxEvent(dataDir, (env) => {
        env.type = 'count.submitted';
        env.payload = { countId: 'C-P5', kind: 'cycle', lines: [{ sku: 'A', countedQty: 3e9 }] };
      }),
      deep: appendRawOutboxEvent(
        dataDir,
        (env) => {
          env.payload = 'DEEP';
        },
        (body) => body.replace('"DEEP"', '{"a":'.repeat(5000) + '0' + '}'.repeat(5000)),
      ),
      refusedByDb: appendRawOutboxEvent(dataDir, sale('T-P7', 'POISON', 1)),
    };
    agent = await startAgent(fx, { dataDir });
    await captureMany(agent, 5, { start: 100 });

    const back = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port });
    await waitDrained(agent, 'agent to drain past the poison events');

    const events = await allEvents(back, STORE);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 7, 8, 13, 14, 15, 16, 17]);
    expect(events.map((e) => e.eventId)).toEqual(expect.arrayContaining([poison.big1.eventId, poison.big2.eventId]));
    // The two 1.5e9 sales are stored, and their sum (-3e9) is booked: beyond int4.
    const inv = await back.api.get<{ items: { onHand: number }[] }>(`/inventory?storeId=${STORE}&sku=BIG`);
    expect(inv.body.items).toMatchObject([{ onHand: -3_000_000_000 }]);

    const q = await back.api.get<{ items: QuarantineItem[] }>(`/quarantine?storeId=${STORE}`);
    expect(q.status).toBe(200);
    const bySeq = new Map(q.body.items.map((i) => [i.seq, i]));
    expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual([6, 9, 10, 11, 12]);
    expect(bySeq.get(poison.huge.seq)?.error).toMatch(/payload\.lines\.0\.qty: quantity must be between/);
    expect(bySeq.get(poison.nul.seq)?.error).toMatch(/payload\.lines\.0\.sku: contains a NUL/);
    expect(bySeq.get(poison.count.seq)?.error).toMatch(/payload\.lines\.0\.countedQty: quantity must be between/);
    expect(bySeq.get(poison.deep.seq)?.error).toMatch(/nested deeper than 32 levels/);
    expect(bySeq.get(poison.refusedByDb.seq)?.error).toMatch(/central could not store this event: .*test_no_poison/);
    for (const item of q.body.items) expect(item.status).toBe('open');
  });
});
