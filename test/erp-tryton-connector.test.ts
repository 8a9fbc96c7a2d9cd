/**
 * The `tryton` connector against a real Tryton 6.0 (Debian's packages, SQLite backend) set up by the project's
 * own fixture: documents are created once under our posting id, Tryton's stock follows them, a missing
 * mapping is a dead letter that names what is missing, and an ERP that is away is a retryable failure.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ErpConnector, ErpDocument, ErpPosting } from '../apps/central/src/erp/connector.js';
import { buildTrytonTemplate, openTrytonConnector, type TrytonConnectorFixture, TrytonProbe, writeMapping, type TrytonServer, type TrytonTemplate } from './support/tryton.js';

const STORE = 'store-t1';
const TODAY = new Date().toISOString().slice(0, 10);
const MAPPING = {
  stores: { [STORE]: { warehouse: 'ST001', location: 'ST001-FLOOR' } },
  products: { 'SKU-TSHIRT': 'TT-TSHIRT', 'SKU-MUG': 'TT-MUG', 'SKU-TOTE': 'TT-TOTE' },
};
const CODES = ['TT-TSHIRT', 'TT-MUG', 'TT-TOTE', 'TT-CAP'];

let template: TrytonTemplate;
let server: TrytonServer;
let probe: TrytonProbe;
let mappingFile: string;
let connector: ErpConnector;
let seq = 0;

const posting = (document: ErpDocument, storeId = STORE): ErpPosting => ({
  postingId: `post-${Date.now().toString(36)}-${++seq}`,
  storeId,
  correlationId: `corr-${seq}`,
  document,
});
const sale = (lines: { sku: string; qty: number; unitPrice: number }[]): ErpDocument => ({
  kind: 'sale',
  transactionId: `T-${++seq}`,
  businessDate: TODAY,
  currency: 'USD',
  lines,
  tenders: [{ method: 'cash', amount: lines.reduce((s, l) => s + l.qty * l.unitPrice, 0) }],
});

beforeAll(async () => {
  template = await buildTrytonTemplate();
}, 180_000);
afterAll(() => template?.dispose());

let fixture: TrytonConnectorFixture | undefined;
beforeEach(async () => {
  fixture = await openTrytonConnector(template, MAPPING, 'outpost-tryton-map-');
  ({ server, probe, mappingFile, connector } = fixture);
});
afterEach(async () => {
  await fixture?.close();
});

describe('tryton connector', () => {
  it('posts a count, a sale and a return once each, and Tryton stock follows the documents', async () => {
    const location = template.ids.stores.ST001?.location as number;
    const count = posting({
      kind: 'count',
      countId: 'C-1',
      businessDate: TODAY,
      lines: [
        { sku: 'SKU-TSHIRT', countedQty: 10, variance: 10 },
        { sku: 'SKU-MUG', countedQty: 5, variance: 5 },
      ],
    });
    const s = posting(sale([{ sku: 'SKU-TSHIRT', qty: 2, unitPrice: 1990 }, { sku: 'SKU-MUG', qty: 1, unitPrice: 950 }]));
    const ret = posting({
      kind: 'return',
      returnId: 'R-1',
      originalTransactionId: 'T-1',
      businessDate: TODAY,
      currency: 'USD',
      lines: [
        { sku: 'SKU-TSHIRT', qty: 1, refundAmount: 1990, reasonCode: 'size', disposition: 'restock' },
        { sku: 'SKU-MUG', qty: 1, refundAmount: 950, reasonCode: 'broken', disposition: 'damaged' },
      ],
    });

    const results = [];
    for (const p of [count, s, ret]) results.push(await connector.post(p));
    for (const r of results) expect(r).toMatchObject({ ok: true, alreadyPosted: false });

    expect(await probe.inventoriesByNumber(count.postingId)).toEqual([expect.objectContaining({ state: 'done' })]);
    const [saleRow, ...extraSales] = await probe.salesByReference(s.postingId);
    expect(extraSales).toEqual([]);
    expect(saleRow).toMatchObject({ state: 'done' });
    expect(saleRow?.total_amount.decimal).toMatch(/^49\.30*$/); // 2 × 19.90 + 9.50, exact
    const [retRow] = await probe.salesByReference(ret.postingId);
    expect(retRow).toMatchObject({ state: 'done' });
    expect(retRow?.total_amount.decimal).toMatch(/^-29\.40*$/); // both refunds, the damaged one without stock

    // 10 − 2 + 1 restocked; 5 − 1 (the damaged mug is refunded, not put back on the shelf)
    expect(await probe.stockAt(location, CODES)).toMatchObject({ 'TT-TSHIRT': 10 - 2 + 1, 'TT-MUG': 5 - 1, 'TT-TOTE': 0 });

    // Posting again finds each document under our reference and creates nothing.
    const salesBefore = await probe.count('sale.sale');
    const inventoriesBefore = await probe.count('stock.inventory');
    for (const [i, p] of [count, s, ret].entries()) {
      const again = await connector.post(p);
      expect(again).toEqual({ ok: true, alreadyPosted: true, erpRef: (results[i] as { erpRef: string }).erpRef });
    }
    expect(await probe.count('sale.sale')).toBe(salesBefore);
    expect(await probe.count('stock.inventory')).toBe(inventoriesBefore);
    expect(await probe.stockAt(location, CODES)).toMatchObject({ 'TT-TSHIRT': 9, 'TT-MUG': 4 });

    // lookup answers Tryton's reference for a posted document and null for one never posted
    expect(await connector.lookup(s.postingId, 'sale')).toBe((results[1] as { erpRef: string }).erpRef);
    expect(await connector.lookup(count.postingId, 'count')).toMatch(/^stock\.inventory,\d+$/);
    expect(await connector.lookup('never-posted', 'sale')).toBeNull();
  });

  it('posts a day summary as one sale of the aggregated lines', async () => {
    const p = posting({
      kind: 'day_summary',
      businessDate: TODAY,
      currency: 'USD',
      lines: [
        { sku: 'SKU-TOTE', qty: 3, unitPrice: 1400 },
        { sku: 'SKU-MUG', qty: 2, unitPrice: 950 },
      ],
      returns: [{ sku: 'SKU-TOTE', qty: 1, refundAmount: 1400, reasonCode: 'changed-mind', disposition: 'restock' }],
      tenders: [{ method: 'cash', amount: 4700 }],
      transactionIds: ['T-a', 'T-b'],
      returnIds: ['R-a'],
    });
    expect(await connector.post(p)).toMatchObject({ ok: true, alreadyPosted: false });
    const rows = await probe.salesByReference(p.postingId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.total_amount.decimal).toMatch(/^47\.00*$/);
    expect(await probe.stockAt(template.ids.stores.ST001?.location as number, ['TT-TOTE', 'TT-MUG'])).toEqual({ 'TT-TOTE': -2, 'TT-MUG': -2 });
  });

  it('dead-letters what is not mapped, naming it; after the mapping is added the same posting posts once', async () => {
    const salesBefore = await probe.count('sale.sale');
    const p = posting(sale([{ sku: 'SKU-CAP', qty: 1, unitPrice: 1200 }]));
    expect(await connector.post(p)).toMatchObject({ ok: false, retryable: false, error: 'sku SKU-CAP has no Tryton product' });
    const unknownStore = await connector.post(posting(sale([{ sku: 'SKU-MUG', qty: 1, unitPrice: 950 }]), 'store-nowhere'));
    expect(unknownStore).toMatchObject({ ok: false, retryable: false, error: 'store store-nowhere has no warehouse mapping' });
    expect(await probe.count('sale.sale')).toBe(salesBefore);

    // A mapping to a product code Tryton lacks is named as such; one Tryton refuses gets Tryton's own words.
    writeMapping(mappingFile, { ...MAPPING, products: { ...MAPPING.products, 'SKU-CAP': 'TT-NOPE', 'SKU-BAGS': 'TT-BAGS' } });
    expect(await connector.post(p)).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('"TT-NOPE", which Tryton does not have') });
    const refused = await connector.post(posting(sale([{ sku: 'SKU-BAGS', qty: 1, unitPrice: 10 }])));
    expect(refused).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^UserError: .*"Product".*"Sale Line".*domain/) });

    writeMapping(mappingFile, { ...MAPPING, products: { ...MAPPING.products, 'SKU-CAP': 'TT-CAP' } });
    const posted = await connector.post(p);
    expect(posted).toMatchObject({ ok: true, alreadyPosted: false });
    expect(await connector.post(p)).toMatchObject({ ok: true, alreadyPosted: true });
    expect(await probe.salesByReference(p.postingId)).toEqual([expect.objectContaining({ state: 'done' })]);
  });

  it('fails retryable while Tryton is stopped, posts once after it is back, and logs in again when its session ends', async () => {
    const first = posting(sale([{ sku: 'SKU-MUG', qty: 1, unitPrice: 950 }]));
    expect(await connector.post(first)).toMatchObject({ ok: true });

    await server.stop();
    const p = posting(sale([{ sku: 'SKU-TOTE', qty: 2, unitPrice: 1400 }]));
    const down = await connector.post(p);
    expect(down).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('unreachable') });
    expect(await connector.lookup(p.postingId, 'sale').catch((e: Error) => e.message)).toContain('unreachable');

    await server.start();
    expect(await probe.salesByReference(p.postingId)).toEqual([]);
    expect(await connector.post(p)).toMatchObject({ ok: true, alreadyPosted: false });

    // Tryton ends the integration user's sessions: the connector's next call gets 401, logs in and goes on.
    await server.endSessions();
    const stale = await probe.count('sale.sale').catch((e: Error) => e.message);
    expect(stale).toMatch(/HTTP 401/); // the old session is really gone
    probe = new TrytonProbe(server);
    const after = posting(sale([{ sku: 'SKU-TSHIRT', qty: 1, unitPrice: 1990 }]));
    expect(await connector.post(after)).toMatchObject({ ok: true, alreadyPosted: false });
    for (const x of [first, p, after]) expect(await probe.salesByReference(x.postingId)).toHaveLength(1);
  });
});
