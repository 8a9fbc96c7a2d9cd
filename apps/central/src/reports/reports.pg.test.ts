import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from '../../../../test/support/http.js';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { enrol, startTestCentral, TEST_ADMIN_TOKEN, type TestCentral } from '../../../../test/support/central.js';

interface Page<T> {
  items: T[];
  next: string | null;
}

/** Envelopes of the three document kinds the reports read, with their business facts chosen by the test. */
function envelope(raw: RawAgent, seq: number, type: string, payload: unknown, occurredAt = new Date()) {
  return { ...raw.sale(seq), type, occurredAt: occurredAt.toISOString(), payload };
}
const sale = (raw: RawAgent, seq: number, day: string, lines: { sku: string; qty: number; unitPrice: number }[]) =>
  envelope(raw, seq, 'sale.completed', { transactionId: `T-${raw.storeId}-${seq}`, businessDate: day, currency: 'EUR', lines, tenders: [{ method: 'cash', amount: 1 }] });
const ret = (raw: RawAgent, seq: number, day: string, lines: { sku: string; qty: number; refundAmount: number; reasonCode: string }[]) =>
  envelope(raw, seq, 'return.received', { returnId: `R-${raw.storeId}-${seq}`, businessDate: day, currency: 'EUR', lines: lines.map((l) => ({ ...l, disposition: 'damaged' })) });
const count = (raw: RawAgent, seq: number, lines: { sku: string; countedQty: number }[]) =>
  envelope(raw, seq, 'count.submitted', { countId: `C-${raw.storeId}-${seq}`, kind: 'cycle', lines });

async function connect(tc: TestCentral, storeId: string, raws: RawAgent[]): Promise<RawAgent> {
  const dev = await enrol(tc, storeId);
  const raw = new RawAgent(tc.url, dev.token, dev.storeId, dev.deviceId);
  raws.push(raw);
  await raw.connected();
  expect(await raw.hello()).toMatchObject({ ok: true });
  return raw;
}

describe('reports API', () => {
  let tc: TestCentral;
  const raws: RawAgent[] = [];
  beforeEach(async () => {
    tc = await startTestCentral();
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await tc.close();
  });

  it('sales and returns by store and day, returns by reason, count accuracy: figures from the events, paged and as CSV', async () => {
    const a = await connect(tc, 'store-a', raws);
    const b = await connect(tc, 'store-b', raws);
    // store-a: two sales on 11-20 (3×250 + 1×100, 2×500), one return on 11-21; a count of 0 of an sku the books
    // put at -3 (3 sold, never received): variance +3. store-b: one sale on 11-21, two return lines.
    expect(
      await a.batch(1, [
        sale(a, 1, '2026-11-20', [{ sku: 'S1', qty: 3, unitPrice: 250 }, { sku: 'S2', qty: 1, unitPrice: 100 }]),
        sale(a, 2, '2026-11-20', [{ sku: 'S1', qty: 2, unitPrice: 500 }]),
        ret(a, 3, '2026-11-21', [{ sku: 'S1', qty: 1, refundAmount: 250, reasonCode: 'damaged-box' }]),
        count(a, 4, [{ sku: 'S2', countedQty: 0 }, { sku: 'S9', countedQty: 0 }]),
      ]),
    ).toMatchObject({ ok: true, stored: 4 });
    expect(
      await b.batch(1, [
        sale(b, 1, '2026-11-21', [{ sku: 'S1', qty: 1, unitPrice: 999 }]),
        ret(b, 2, '2026-11-21', [
          { sku: 'S1', qty: 1, refundAmount: 999, reasonCode: 'changed-mind' },
          { sku: 'S3', qty: 2, refundAmount: 10, reasonCode: 'damaged-box' },
        ]),
      ]),
    ).toMatchObject({ ok: true, stored: 2 });

    const days = 'from=2026-11-01&to=2026-11-30';
    const sales = await tc.api.get<Page<Record<string, unknown>>>(`/reports/sales-by-day?${days}`);
    expect(sales.status).toBe(200);
    expect(sales.body).toEqual({
      items: [
        { businessDate: '2026-11-20', storeId: 'store-a', currency: 'EUR', sales: 2, salesAmount: 1850, unitsSold: 6, returns: 0, returnsAmount: 0, unitsReturned: 0 },
        { businessDate: '2026-11-21', storeId: 'store-a', currency: 'EUR', sales: 0, salesAmount: 0, unitsSold: 0, returns: 1, returnsAmount: 250, unitsReturned: 1 },
        { businessDate: '2026-11-21', storeId: 'store-b', currency: 'EUR', sales: 1, salesAmount: 999, unitsSold: 1, returns: 1, returnsAmount: 1009, unitsReturned: 3 },
      ],
      next: null,
    });
    const onlyB = await tc.api.get<Page<{ storeId: string }>>(`/reports/sales-by-day?${days}&storeId=store-b`);
    expect(onlyB.body.items.map((r) => r.storeId)).toEqual(['store-b']);
    const outside = await tc.api.get<Page<unknown>>('/reports/sales-by-day?from=2026-10-01&to=2026-10-31');
    expect(outside.body).toEqual({ items: [], next: null });

    // Walking limit=1 pages yields the same rows, in the same order, and ends with next = null.
    const walked: unknown[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const p: { body: Page<unknown> } = await tc.api.get<Page<unknown>>(`/reports/sales-by-day?${days}&limit=1${after ? `&after=${after}` : ''}`);
      walked.push(...p.body.items);
      after = p.body.next;
      if (!after) break;
    }
    expect(walked).toEqual([...sales.body.items]);
    expect(after).toBeNull();

    const reasons = await tc.api.get<Page<unknown>>(`/reports/returns-by-reason?${days}`);
    expect(reasons.body.items).toEqual([
      { reasonCode: 'changed-mind', currency: 'EUR', lines: 1, qty: 1, refundAmount: 999 },
      { reasonCode: 'damaged-box', currency: 'EUR', lines: 2, qty: 3, refundAmount: 260 },
    ]);

    const today = new Date().toISOString().slice(0, 10);
    const variance = await tc.api.get<Page<{ storeId: string; countedLines: number; exactLines: number; accuracy: number; netVariance: number; absVariance: number }>>(
      `/reports/count-variance?from=${today}&to=${today}`,
    );
    expect(variance.status).toBe(200);
    // S2: 1 sold → books say -1, counted 0 → +1. S9: never moved → books 0, counted 0 → exact.
    expect(variance.body.items).toEqual([{ storeId: 'store-a', countedLines: 2, exactLines: 1, accuracy: 0.5, netVariance: 1, absVariance: 1 }]);

    const csv = await fetch(`${tc.url}/api/v1/reports/sales-by-day?${days}&format=csv&limit=2`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="sales-by-day.csv"');
    expect(csv.headers.get('x-next-cursor')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect((await csv.text()).split('\r\n')).toEqual([
      'businessDate,storeId,currency,sales,salesAmount,unitsSold,returns,returnsAmount,unitsReturned',
      '2026-11-20,store-a,EUR,2,1850,6,0,0,0',
      '2026-11-21,store-a,EUR,0,0,0,1,250,1',
      '',
    ]);
  });

  it('ingest per minute and sync lag per store come from what arrived, with how late it arrived', async () => {
    const a = await connect(tc, 'store-lag', raws);
    await connect(tc, 'store-idle', raws);
    const tenMinutesAgo = new Date(Date.now() - 600_000);
    const late = [1, 2, 3].map((seq) => envelope(a, seq, 'sale.completed', sale(a, seq, '2026-11-23', [{ sku: 'S1', qty: 1, unitPrice: 1 }]).payload, tenMinutesAgo));
    expect(await a.batch(1, [...late, { not: 'an event' }])).toMatchObject({ ok: true, stored: 3, quarantined: 1 });

    const rate = await tc.api.get<Page<{ minute: string; events: number; quarantined: number }>>('/reports/ingest-rate?minutes=5');
    expect(rate.status).toBe(200);
    expect(rate.body.items).toHaveLength(5);
    expect(rate.body.items.map((r) => r.minute)).toEqual([...rate.body.items.map((r) => r.minute)].sort());
    expect(rate.body.items.reduce((n, r) => n + r.events, 0)).toBe(3);
    expect(rate.body.items.reduce((n, r) => n + r.quarantined, 0)).toBe(1);
    const other = await tc.api.get<Page<{ events: number }>>('/reports/ingest-rate?minutes=5&storeId=store-idle');
    expect(other.body.items.every((r) => r.events === 0)).toBe(true);

    const lag = await tc.api.get<Page<{ storeId: string; devices: number; events: number; avgLagSeconds: number | null; maxLagSeconds: number | null; lastReceivedAt: string | null }>>(
      '/reports/sync-lag?minutes=60',
    );
    expect(lag.body.items.map((r) => r.storeId)).toEqual(['store-idle', 'store-lag']);
    const [idle, busy] = lag.body.items;
    expect(idle).toMatchObject({ devices: 1, events: 0, avgLagSeconds: null, maxLagSeconds: null, lastReceivedAt: null });
    expect(busy).toMatchObject({ devices: 1, events: 3 });
    expect(busy!.maxLagSeconds).toBeGreaterThanOrEqual(600);
    expect(busy!.avgLagSeconds).toBeGreaterThanOrEqual(600);
  });

  it("a store's timeline lists its events newest first, page by page, and no other store's", async () => {
    const a = await connect(tc, 'store-t', raws);
    const b = await connect(tc, 'store-u', raws);
    expect(await a.batch(1, [1, 2, 3, 4, 5].map((seq) => sale(a, seq, '2026-11-23', [{ sku: 'S1', qty: 1, unitPrice: 1 }])))).toMatchObject({ ok: true, stored: 5 });
    expect(await b.batch(1, [sale(b, 1, '2026-11-23', [{ sku: 'S1', qty: 1, unitPrice: 1 }])])).toMatchObject({ ok: true, stored: 1 });
    const seqs: number[][] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const p: { status: number; body: Page<{ seq: number; storeId: string }> } = await tc.api.get(`/reports/store-timeline?storeId=store-t&limit=2${after ? `&after=${after}` : ''}`);
      expect(p.status).toBe(200);
      expect(p.body.items.every((e) => e.storeId === 'store-t')).toBe(true);
      seqs.push(p.body.items.map((e) => e.seq));
      after = p.body.next;
      if (!after) break;
    }
    expect(seqs).toEqual([[5, 4], [3, 2], [1]]);
    const past = await tc.api.get<Page<unknown>>('/reports/store-timeline?storeId=store-t&after=99999999999999999999');
    expect(past.body.items).toHaveLength(5);
    const none = await tc.api.get<Page<unknown>>('/reports/store-timeline?storeId=nowhere');
    expect(none.body).toEqual({ items: [], next: null });
    const missing = await tc.api.get<{ error: { code: string } }>('/reports/store-timeline');
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('validation_failed');
  });

  it('bad report requests answer the JSON error shape; an unknown cursor is an empty page', async () => {
    const reversed = await tc.api.get<{ error: { code: string; message: string } }>('/reports/sales-by-day?from=2026-11-20&to=2026-11-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/after/) });
    const notADate = await tc.api.get<{ error: { code: string } }>('/reports/returns-by-reason?from=yesterday');
    expect(notADate.status).toBe(400);
    expect(notADate.body.error.code).toBe('validation_failed');
    const tooMany = await tc.api.get<{ error: { code: string } }>('/reports/ingest-rate?limit=1001');
    expect(tooMany.status).toBe(400);
    const badFormat = await tc.api.get<{ error: { code: string } }>('/reports/count-variance?format=xml');
    expect(badFormat.status).toBe(400);
    const cursor = await tc.api.get<Page<unknown>>(`/reports/count-variance?after=${Buffer.from('["x","y"]').toString('base64url')}`);
    expect(cursor.body).toEqual({ items: [], next: null });
    const anon = await request('GET', `${tc.url}/api/v1/reports/sales-by-day`);
    expect(anon.status).toBe(401);
  });
});
