import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { enrollAgent, startAgent, startCentral } from './support/procs.js';
import { waitFor } from './support/wait.js';

// Reconciliation per store and business day, end to end with a real agent and central on the ledger ERP:
// - day A is clean: the store's close, central and the ERP agree → matched;
// - day B: one sale never reached central's books. The agent captured it and counted it in its day close; then,
//   before it synced, its outbox row was damaged (as a buggy build or a disk fault could), so central received an
//   invalid event and quarantined it. The store's close says 3 sales, central holds 2: reported with the sale's id;
// - day C: the ERP lost a document (its ledger entry deleted behind central's back): reported with the sale's id.

interface Difference {
  kind: string;
  message: string;
  transactionIds: string[];
  returnIds: string[];
  postingIds: string[];
  fields?: { field: string; store: number; central: number }[];
}
interface DayRec {
  storeId: string;
  businessDate: string;
  status: string;
  store: { transactionCount: number; salesTotal: number } | null;
  central: { transactionCount: number; salesTotal: number };
  erp: { transactionCount: number; salesTotal: number };
  differences: Difference[];
}

const A = '2026-09-01';
const B = '2026-09-02';
const C = '2026-09-03';

/** Damage the stored body of one captured sale in a stopped agent's outbox (quantity 0 fails validation). */
function damageOutboxSale(dataDir: string, transactionId: string): void {
  const db = new Database(join(dataDir, 'agent.db'));
  try {
    const row = db.prepare("SELECT seq, body FROM outbox WHERE type = 'sale.completed' AND json_extract(body, '$.payload.transactionId') = ?").get(transactionId) as { seq: number; body: string };
    const env = JSON.parse(row.body) as { payload: { lines: { qty: number }[] } };
    env.payload.lines[0]!.qty = 0;
    db.prepare('UPDATE outbox SET body = ? WHERE seq = ?').run(JSON.stringify(env), row.seq);
  } finally {
    db.close();
  }
}

describe('reconciliation of store, central and ERP per business day', () => {
  const { fx, dbUrl } = e2eContext();

  it('a clean day matches; a sale that never reached central and a document the ERP lacks are named', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-r', dataDir);
    await central.proc.stop(); // the store trades offline: nothing syncs before the damage below

    let agent = await startAgent(fx, { dataDir });
    for (const day of [A, B, C]) {
      for (let i = 1; i <= 3; i++) {
        const tx = `${day.slice(-2)}-T${i}`;
        const r = await agent.api.post('/sales', { transactionId: tx, businessDate: day, currency: 'EUR', lines: [{ sku: 'SKU-1', qty: i, unitPrice: 250 }], tenders: [{ method: 'cash', amount: 250 * i }] });
        expect(r.status).toBe(201);
      }
      expect((await agent.api.post(`/days/${day}/close`)).status).toBe(201);
    }
    await agent.proc.stop();
    damageOutboxSale(dataDir, '02-T2');

    const back = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port });
    agent = await startAgent(fx, { dataDir });
    await waitDrained(agent);
    await waitFor(
      async () => {
        const r = await back.api.get<{ items: { status: string }[] }>('/erp/postings?status=posted&limit=1000');
        return r.body.items.length === 8;
      },
      { what: '8 postings posted (9 sales, one quarantined)' },
    );

    // Day C: the ERP loses the document of sale 03-T1.
    const lost = (await back.api.get<{ items: { id: string; document: { transactionId?: string } }[] }>(`/erp/postings?storeId=store-r&businessDate=${C}`)).body.items.find(
      (p) => p.document.transactionId === '03-T1',
    )!;
    const db = new pg.Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      const del = await db.query('DELETE FROM erp_ledger_entries WHERE posting_id = $1', [lost.id]);
      expect(del.rowCount).toBe(1);
    } finally {
      await db.end();
    }

    const day = async (date: string) => {
      const r = await back.api.get<{ items: DayRec[] }>(`/reconciliation?date=${date}&storeId=store-r`);
      expect(r.status).toBe(200);
      return r.body.items[0]!;
    };

    const a = await day(A);
    expect(a).toMatchObject({ status: 'matched', store: { transactionCount: 3, salesTotal: 1500 }, central: { transactionCount: 3, salesTotal: 1500 }, erp: { transactionCount: 3, salesTotal: 1500 } });
    expect(a.differences).toEqual([]);

    const b = await day(B);
    expect(b.status).toBe('differences');
    expect(b).toMatchObject({ store: { transactionCount: 3, salesTotal: 1500 }, central: { transactionCount: 2, salesTotal: 1000 }, erp: { transactionCount: 2 } });
    expect(b.differences).toHaveLength(1);
    expect(b.differences[0]).toMatchObject({ kind: 'store_vs_central', transactionIds: ['02-T2'] });
    expect(b.differences[0]!.fields).toContainEqual({ field: 'transactionCount', store: 3, central: 2 });
    expect(b.differences[0]!.message).toMatch(/quarantined at central.*02-T2/);

    const c = await day(C);
    expect(c.status).toBe('differences');
    expect(c).toMatchObject({ store: { transactionCount: 3 }, central: { transactionCount: 3, salesTotal: 1500 }, erp: { transactionCount: 2, salesTotal: 1250 } });
    expect(c.differences).toEqual([expect.objectContaining({ kind: 'missing_in_erp', transactionIds: ['03-T1'], postingIds: [lost.id] })]);

    // Replaying the lost posting books it again (the ledger no longer holds it): the day matches.
    expect((await back.api.post(`/erp/postings/${lost.id}/replay`)).status).toBe(200);
    await waitFor(async () => (await day(C)).status === 'matched', { what: 'day C to match after the replay' });

    // All stores of a day at once, and bad input as a clear error.
    const list = await back.api.get<{ items: DayRec[]; next: string | null }>(`/reconciliation?date=${B}`);
    expect(list.body.items.map((d) => [d.storeId, d.status])).toEqual([['store-r', 'differences']]);
    const bad = await back.api.get<{ error: { code: string } }>('/reconciliation?date=2026-13-40');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await back.api.get('/reconciliation?date=2026-09-01&storeId=nope')).status).toBe(404);
  });
});
