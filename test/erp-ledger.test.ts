import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { enrollAgent, startAgent, startCentral, type CentralHandle } from './support/procs.js';
import { waitFor } from './support/wait.js';

// ERP posting with the built-in ledger (the default `--erp ledger`), end to end: a real agent captures sales, a
// return and a count; real central stores them and posts each to its own double-entry ledger exactly once, also
// across a central restart; replay books nothing new; summary mode posts one document per business day.

interface Posting {
  id: string;
  storeId: string;
  kind: string;
  status: string;
  correlationId: string;
  sourceEventId: string | null;
  erpRef: string | null;
  document: { transactionIds?: string[]; returnIds?: string[] };
}
interface LedgerEntry {
  erpRef: string;
  postingId: string;
  kind: string;
  correlationId: string;
  lines: { account: string; debit: number; credit: number }[];
  moves: { sku: string; qty: number; from: string; to: string }[];
}

const D1 = '2026-10-01';
const D2 = '2026-10-02';

async function postings(central: CentralHandle, q = ''): Promise<Posting[]> {
  const r = await central.api.get<{ items: Posting[]; next: string | null }>(`/erp/postings?limit=1000${q}`);
  expect(r.status).toBe(200);
  return r.body.items;
}
const allPosted = (central: CentralHandle, n: number) =>
  waitFor(
    async () => {
      const p = await postings(central);
      return p.length === n && p.every((x) => x.status === 'posted') ? p : null;
    },
    { timeoutMs: 60_000, what: `${n} postings posted` },
  );

describe('ERP posting to the built-in ledger', () => {
  const { fx, dbUrl } = e2eContext();

  it('sales, a return and a count from a real agent reach the ledger once each, across a central restart; replay books nothing new', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-l', dataDir);
    const agent = await startAgent(fx, { dataDir });

    const sales = [
      { transactionId: 'T-1', businessDate: D1, lines: [{ sku: 'SKU-1', qty: 2, unitPrice: 500, taxAmount: 167 }], tenders: [{ method: 'card', amount: 1000 }] },
      { transactionId: 'T-2', businessDate: D1, lines: [{ sku: 'SKU-2', qty: 1, unitPrice: 300 }], tenders: [{ method: 'cash', amount: 300 }] },
    ];
    for (const s of sales) expect((await agent.api.post('/sales', { ...s, currency: 'EUR' })).status).toBe(201);
    await waitDrained(agent);
    await allPosted(central, 2);

    // Central restarts while the store keeps capturing: what was posted stays posted once, the rest follows.
    await central.proc.stop();
    expect((await agent.api.post('/returns', { returnId: 'R-1', originalTransactionId: 'T-1', businessDate: D1, currency: 'EUR', lines: [{ sku: 'SKU-1', qty: 1, refundAmount: 500, reasonCode: 'size', disposition: 'restock' }] })).status).toBe(201);
    expect((await agent.api.post('/counts', { countId: 'C-1', lines: [{ sku: 'SKU-2', countedQty: 4 }] })).status).toBe(201);
    const back = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port });
    await waitDrained(agent);
    const all = await allPosted(back, 4);
    expect(all.map((p) => p.kind)).toEqual(['sale', 'sale', 'return', 'count']);
    expect(all.every((p) => p.erpRef?.startsWith('LEDGER-'))).toBe(true);

    // The correlation id of each event is the posting's and the ledger entry's.
    const events = await back.api.get<{ items: { eventId: string; correlationId: string }[] }>('/events?storeId=store-l&limit=1000');
    const corrOf = new Map(events.body.items.map((e) => [e.eventId, e.correlationId]));
    for (const p of all) expect(p.correlationId).toBe(corrOf.get(p.sourceEventId!));

    const ledger = await back.api.get<{ items: LedgerEntry[] }>('/erp/ledger?storeId=store-l&limit=1000');
    expect(ledger.status).toBe(200);
    expect(ledger.body.items.map((e) => [e.postingId, e.kind, e.correlationId])).toEqual(all.map((p) => [p.id, p.kind, p.correlationId]));
    const [sale1, , ret1, count1] = ledger.body.items;
    expect(sale1!.lines).toEqual([
      { account: 'tender:card', debit: 1000, credit: 0, memo: 'sale T-1' },
      { account: 'sales_revenue', debit: 0, credit: 833, memo: 'sale T-1' },
      { account: 'tax_payable', debit: 0, credit: 167, memo: 'sale T-1' },
    ]);
    expect(sale1!.moves).toEqual([{ sku: 'SKU-1', qty: 2, from: 'store:store-l/sellable', to: 'customer' }]);
    expect(ret1!.moves).toEqual([{ sku: 'SKU-1', qty: 1, from: 'customer', to: 'store:store-l/sellable' }]);
    // The count: central expected -1 of SKU-2 (one sold from nothing), 4 counted: +5 adjustment.
    expect(count1!.moves).toEqual([{ sku: 'SKU-2', qty: 5, from: 'inventory_adjustment', to: 'store:store-l/sellable' }]);
    const balances = await back.api.get<{ items: { account: string; debit: number; credit: number }[] }>(`/erp/ledger/balances?storeId=store-l&date=${D1}`);
    const sum = (k: 'debit' | 'credit') => balances.body.items.reduce((s, b) => s + b[k], 0);
    expect(sum('debit')).toBe(sum('credit'));
    expect(balances.body.items.find((b) => b.account === 'sales_returns')).toMatchObject({ debit: 500, credit: 0 });

    // Replay of a posted posting: the ledger finds it under our reference; nothing new is booked.
    const replay = await back.api.post<Posting>(`/erp/postings/${all[0]!.id}/replay`);
    expect(replay.status).toBe(200);
    await waitFor(async () => (await back.api.get<Posting>(`/erp/postings/${all[0]!.id}`)).body.status === 'posted', { what: 'replayed posting posted' });
    expect((await back.api.get<{ items: LedgerEntry[] }>('/erp/ledger?storeId=store-l&limit=1000')).body.items).toHaveLength(4);
    expect((await back.api.get<Posting>(`/erp/postings/${all[0]!.id}`)).body.erpRef).toBe(all[0]!.erpRef);

    // Bad input is a clear JSON error.
    const bad = await back.api.post<{ error: { code: string } }>('/erp/postings/not-a-uuid/replay');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const missing = await back.api.post<{ error: { code: string } }>('/erp/postings/0190a3b2-0000-7000-8000-000000000000/replay');
    expect(missing.status).toBe(404);
    expect((await back.api.get('/erp/postings?status=lost')).status).toBe(400);
  });

  it('summary mode: one document per store and business day, cut by the store closing the day; the day reconciles', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-s', dataDir);
    const set = await central.api.put<{ postingMode: string; effectiveCutoff: string }>('/erp/stores/store-s/settings', { postingMode: 'day_summary' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ postingMode: 'day_summary', effectiveCutoff: '04:00' });
    expect((await central.api.put('/erp/stores/store-s/settings', { postingMode: 'weekly' })).status).toBe(400);
    expect((await central.api.put('/erp/stores/nope/settings', { postingMode: 'per_sale' })).status).toBe(404);

    const agent = await startAgent(fx, { dataDir });
    for (let i = 1; i <= 5; i++) {
      const r = await agent.api.post('/sales', { transactionId: `S-${i}`, businessDate: D2, currency: 'EUR', lines: [{ sku: 'SKU-1', qty: i, unitPrice: 200 }], tenders: [{ method: i % 2 ? 'cash' : 'card', amount: 200 * i }] });
      expect(r.status).toBe(201);
    }
    expect((await agent.api.post('/returns', { returnId: 'SR-1', businessDate: D2, currency: 'EUR', lines: [{ sku: 'SKU-1', qty: 1, refundAmount: 200, reasonCode: 'faulty', disposition: 'damaged' }] })).status).toBe(201);
    await waitDrained(agent);
    expect(await postings(central, '&storeId=store-s')).toEqual([]); // waiting for the day close

    expect((await agent.api.post(`/days/${D2}/close`)).status).toBe(201);
    await waitDrained(agent);
    const [summary] = await allPosted(central, 1);
    expect(summary).toMatchObject({ kind: 'day_summary', sourceEventId: null });
    expect(summary!.document.transactionIds).toEqual(['S-1', 'S-2', 'S-3', 'S-4', 'S-5']);
    expect(summary!.document.returnIds).toEqual(['SR-1']);
    const ledger = await central.api.get<{ items: LedgerEntry[] }>(`/erp/ledger?storeId=store-s&date=${D2}`);
    expect(ledger.body.items).toHaveLength(1);
    expect(ledger.body.items[0]!.moves).toEqual([
      { sku: 'SKU-1', qty: 15, from: 'store:store-s/sellable', to: 'customer' },
      { sku: 'SKU-1', qty: 1, from: 'customer', to: 'store:store-s/damaged' },
    ]);

    const rec = await central.api.get<{ items: { status: string; store: { transactionCount: number; salesTotal: number }; erp: { salesTotal: number }; differences: unknown[] }[] }>(
      `/reconciliation?date=${D2}&storeId=store-s`,
    );
    expect(rec.status).toBe(200);
    expect(rec.body.items[0]).toMatchObject({ status: 'matched', store: { transactionCount: 5, salesTotal: 3000 }, erp: { salesTotal: 3000 }, differences: [] });
  });
});
