/**
 * Issue 5 end to end against a real Tryton: a real agent captures sales, a return and a count; a real central
 * started with `--erp tryton` posts them through its outbox. Each document arrives in Tryton once, Tryton's
 * stock for the store location equals central's inventory, a replay creates nothing, an ERP that is stopped
 * for a while loses nothing, and an unmapped sku is a dead letter until its mapping is added and replayed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { enrollAgent, startAgent, type AgentHandle, type CentralHandle } from './support/procs.js';
import { buildTrytonTemplate, startTryton, TrytonProbe, writeMapping, type TrytonServer, type TrytonTemplate } from './support/tryton.js';
import { startCentralWithTryton } from './support/tryton-central.js';
import { waitFor } from './support/wait.js';

const STORE = 'store-tt1';
const MAPPING = {
  stores: { [STORE]: { warehouse: 'ST001', location: 'ST001-FLOOR' } },
  products: { 'SKU-TSHIRT': 'TT-TSHIRT', 'SKU-MUG': 'TT-MUG', 'SKU-TOTE': 'TT-TOTE' },
};
const SKU_CODE: Record<string, string> = { ...MAPPING.products };

interface Posting {
  id: string;
  kind: string;
  status: 'pending' | 'posted' | 'retrying' | 'dead';
  attempts: number;
  lastError: string | null;
  erpRef: string | null;
  correlationId: string;
  sourceEventId: string | null;
}

const { fx, dbUrl } = e2eContext();
let template: TrytonTemplate;
let tryton: TrytonServer;
let probe: TrytonProbe;
let mappingFile: string;

beforeAll(async () => {
  template = await buildTrytonTemplate();
}, 180_000);
afterAll(() => template?.dispose());
beforeEach(async () => {
  tryton = await startTryton(template);
  probe = new TrytonProbe(tryton);
  mappingFile = join(fx.tempDir('outpost-tryton-map-'), 'mapping.json');
  writeMapping(mappingFile, MAPPING);
});
afterEach(async () => {
  await tryton?.kill();
});

async function setUp(): Promise<{ central: CentralHandle; agent: AgentHandle }> {
  const central = await startCentralWithTryton(fx, { databaseUrl: dbUrl(), tryton, mappingFile });
  const dataDir = fx.tempDir('outpost-agent-');
  await enrollAgent(central, STORE, dataDir, { currency: 'USD' }); // the Tryton company books in USD
  const agent = await startAgent(fx, { dataDir });
  return { central, agent };
}

async function postings(central: CentralHandle): Promise<Posting[]> {
  const r = await central.api.get<{ items: Posting[] }>(`/erp/postings?storeId=${STORE}&limit=1000`);
  if (r.status !== 200) throw new Error(`GET /erp/postings ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.items;
}

/** Wait until the store has `n` postings, all in `status`. */
function settled(central: CentralHandle, n: number, status: Posting['status'] = 'posted'): Promise<Posting[]> {
  return waitFor(
    async () => {
      const items = await postings(central);
      return items.length === n && items.every((p) => p.status === status) ? items : null;
    },
    { timeoutMs: 120_000, intervalMs: 200, what: `${n} postings ${status}` },
  ).catch(async (e: unknown) => {
    throw new Error(`${String(e)}\npostings: ${JSON.stringify(await postings(central))}\n--- central ---\n${central.proc.tail(20)}`);
  });
}

async function sell(agent: AgentHandle, transactionId: string, lines: { sku: string; qty: number; unitPrice: number }[]): Promise<void> {
  const amount = lines.reduce((s, l) => s + l.qty * l.unitPrice, 0);
  const r = await agent.api.post('/sales', { transactionId, lines, tenders: [{ method: 'cash', amount }], currency: 'USD' });
  expect(r.status).toBe(201);
}

/** Every posting has exactly one finished Tryton document under its id. */
async function expectOnceInTryton(items: Posting[]): Promise<void> {
  for (const p of items) {
    const docs = p.kind === 'count' ? await probe.inventoriesByNumber(p.id) : await probe.salesByReference(p.id);
    expect(docs, `${p.kind} posting ${p.id}`).toEqual([expect.objectContaining({ state: 'done' })]);
    expect(p.erpRef).toBe(`${p.kind === 'count' ? 'stock.inventory' : 'sale.sale'},${docs[0]?.id}`);
  }
}

describe('ERP posting to Tryton', () => {
  it('posts sales, a return and a count once; Tryton stock equals central inventory; a replay creates nothing', async () => {
    const { central, agent } = await setUp();
    expect((await central.api.get<{ connector: string }>('/erp/status')).body.connector).toBe('tryton');

    expect((await agent.api.post('/counts', { countId: 'C-1', lines: [{ sku: 'SKU-TSHIRT', countedQty: 10 }, { sku: 'SKU-MUG', countedQty: 6 }, { sku: 'SKU-TOTE', countedQty: 4 }] })).status).toBe(201);
    await sell(agent, 'T-1', [{ sku: 'SKU-TSHIRT', qty: 2, unitPrice: 1990 }, { sku: 'SKU-MUG', qty: 1, unitPrice: 950 }]);
    await sell(agent, 'T-2', [{ sku: 'SKU-TOTE', qty: 3, unitPrice: 1400 }]);
    const ret = await agent.api.post('/returns', {
      returnId: 'R-1',
      originalTransactionId: 'T-1',
      lines: [
        { sku: 'SKU-TSHIRT', qty: 1, refundAmount: 1990, reasonCode: 'size', disposition: 'restock' },
        { sku: 'SKU-MUG', qty: 1, refundAmount: 950, reasonCode: 'chipped', disposition: 'damaged' },
      ],
    });
    expect(ret.status).toBe(201);
    await waitDrained(agent);

    const items = await settled(central, 4);
    expect(items.map((p) => p.kind).sort()).toEqual(['count', 'return', 'sale', 'sale']);
    await expectOnceInTryton(items);
    expect(await probe.count('sale.sale')).toBe(3);
    expect(await probe.count('stock.inventory')).toBe(1);

    // The event's correlation id travels into its posting, the Tryton document and central's log lines.
    const events = await central.api.get<{ items: { eventId: string; correlationId: string }[] }>(`/events?storeId=${STORE}&limit=1000`);
    const corrOf = new Map(events.body.items.map((e) => [e.eventId, e.correlationId]));
    for (const p of items) expect(p.correlationId).toBe(corrOf.get(p.sourceEventId as string));
    const saleIds = items.filter((p) => p.kind !== 'count').map((p) => Number(p.erpRef?.split(',')[1]));
    const comments = await probe.call<{ comment: string }[]>('model.sale.sale.read', [saleIds, ['comment']]);
    expect(comments.map((c) => c.comment.match(/correlation (\S+)/)?.[1]).sort()).toEqual(
      items.filter((p) => p.kind !== 'count').map((p) => p.correlationId).sort(),
    );
    const logged = central.proc.lines.filter((l) => l.includes('tryton: document posted')).map((l) => (JSON.parse(l) as { correlationId?: string }).correlationId);
    expect(logged.length).toBeGreaterThan(0);
    for (const c of logged) expect(items.map((p) => p.correlationId)).toContain(c);

    // Tryton's stock at the store location is central's on-hand, sku by sku.
    const inv = await central.api.get<{ items: { sku: string; onHand: number }[] }>(`/inventory?storeId=${STORE}`);
    const central_ = Object.fromEntries(inv.body.items.map((r) => [SKU_CODE[r.sku], r.onHand]));
    expect(central_).toEqual({ 'TT-TSHIRT': 10 - 2 + 1, 'TT-MUG': 6 - 1, 'TT-TOTE': 4 - 3 });
    expect(await probe.stockAt(template.ids.stores.ST001?.location as number, Object.values(SKU_CODE))).toEqual(central_);

    // Replaying a posted posting goes to Tryton again, finds the document under our reference, creates nothing.
    const sale = items.find((p) => p.kind === 'sale') as Posting;
    const replay = await central.api.post<Posting>(`/erp/postings/${sale.id}/replay`);
    expect(replay.status).toBe(200);
    const again = await waitFor(
      async () => {
        const p = (await postings(central)).find((x) => x.id === sale.id);
        return p && p.status === 'posted' && p.attempts > sale.attempts ? p : null;
      },
      { timeoutMs: 60_000, what: 'the replayed posting to be posted again' },
    );
    expect(again.erpRef).toBe(sale.erpRef);
    expect(await probe.salesByReference(sale.id)).toHaveLength(1);
    expect(await probe.count('sale.sale')).toBe(3);
  });

  it('in summary mode posts one sale.sale for the store and day when the day is closed', async () => {
    const { central, agent } = await setUp();
    const mode = await central.api.put(`/erp/stores/${STORE}/settings`, { postingMode: 'day_summary' });
    expect(mode.status).toBe(200);
    const day = new Date().toISOString().slice(0, 10);
    const sellOn = async (transactionId: string, lines: { sku: string; qty: number; unitPrice: number }[]) => {
      const amount = lines.reduce((s, l) => s + l.qty * l.unitPrice, 0);
      const r = await agent.api.post('/sales', { transactionId, lines, tenders: [{ method: 'card', amount }], currency: 'USD', businessDate: day });
      expect(r.status).toBe(201);
    };
    await sellOn('S-1', [{ sku: 'SKU-TSHIRT', qty: 1, unitPrice: 1990 }]);
    await sellOn('S-2', [{ sku: 'SKU-MUG', qty: 2, unitPrice: 950 }]);
    await sellOn('S-3', [{ sku: 'SKU-TSHIRT', qty: 2, unitPrice: 1990 }]);
    const ret = await agent.api.post('/returns', {
      returnId: 'SR-1',
      originalTransactionId: 'S-1',
      businessDate: day,
      lines: [{ sku: 'SKU-TSHIRT', qty: 1, refundAmount: 1990, reasonCode: 'size', disposition: 'restock' }],
    });
    expect(ret.status).toBe(201);
    expect((await agent.api.post(`/days/${day}/close`)).status).toBe(201);
    await waitDrained(agent);

    const [summary] = await settled(central, 1);
    expect(summary?.kind).toBe('day_summary');
    await expectOnceInTryton([summary as Posting]);
    const [doc] = await probe.salesByReference(summary?.id as string);
    expect(doc?.total_amount.decimal).toMatch(/^58\.80*$/); // 19.90 + 2 × 9.50 + 2 × 19.90 − 19.90
    expect(await probe.count('sale.sale')).toBe(1);
    const inv = await central.api.get<{ items: { sku: string; onHand: number }[] }>(`/inventory?storeId=${STORE}`);
    const onHand = Object.fromEntries(inv.body.items.map((r) => [SKU_CODE[r.sku], r.onHand]));
    expect(onHand).toEqual({ 'TT-TSHIRT': -3 + 1, 'TT-MUG': -2 });
    expect(await probe.stockAt(template.ids.stores.ST001?.location as number, Object.keys(onHand))).toEqual(onHand);
  });

  it('keeps postings while Tryton is stopped and drains them once after it restarts', async () => {
    const { central, agent } = await setUp();
    await sell(agent, 'T-0', [{ sku: 'SKU-MUG', qty: 1, unitPrice: 950 }]);
    await waitDrained(agent);
    await settled(central, 1);

    await tryton.stop();
    for (let i = 1; i <= 4; i++) await sell(agent, `T-${i}`, [{ sku: 'SKU-TOTE', qty: i, unitPrice: 1400 }]);
    await waitDrained(agent);
    // The worker tried, failed for want of an ERP, and keeps every posting for later.
    const waiting = await waitFor(
      async () => {
        const items = await postings(central);
        const retrying = items.filter((p) => p.status === 'retrying');
        return items.length === 5 && retrying.length >= 1 && items.every((p) => p.status !== 'dead') ? retrying : null;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'postings retrying while Tryton is down' },
    );
    expect(waiting[0]?.lastError).toMatch(/unreachable/);
    expect((await postings(central)).filter((p) => p.status === 'posted')).toHaveLength(1);

    await tryton.start();
    const items = await settled(central, 5);
    await expectOnceInTryton(items);
    expect(await probe.count('sale.sale')).toBe(5);
    expect(await probe.stockAt(template.ids.stores.ST001?.location as number, ['TT-TOTE'])).toEqual({ 'TT-TOTE': -(1 + 2 + 3 + 4) });
  });

  it('dead-letters a sale of an unmapped sku with the reason; after the mapping is added a replay posts it once', async () => {
    const { central, agent } = await setUp();
    await sell(agent, 'T-CAP', [{ sku: 'SKU-CAP', qty: 1, unitPrice: 1200 }]);
    await waitDrained(agent);
    const [dead] = await settled(central, 1, 'dead');
    expect(dead?.lastError).toBe('sku SKU-CAP has no Tryton product');
    expect(await probe.count('sale.sale')).toBe(0);

    writeMapping(mappingFile, { ...MAPPING, products: { ...MAPPING.products, 'SKU-CAP': 'TT-CAP' } });
    expect((await central.api.post(`/erp/postings/${dead?.id}/replay`)).status).toBe(200);
    const [posted] = await settled(central, 1, 'posted');
    expect(posted?.id).toBe(dead?.id);
    await expectOnceInTryton([posted as Posting]);

    // A second replay finds it: still one document.
    expect((await central.api.post(`/erp/postings/${dead?.id}/replay`)).status).toBe(200);
    await waitFor(
      async () => {
        const p = (await postings(central))[0];
        return p && p.status === 'posted' && p.attempts > (posted?.attempts ?? 0);
      },
      { timeoutMs: 60_000, what: 'second replay posted' },
    );
    expect(await probe.count('sale.sale')).toBe(1);
    expect(await probe.stockAt(template.ids.stores.ST001?.location as number, ['TT-CAP'])).toEqual({ 'TT-CAP': -1 });
  });
});
