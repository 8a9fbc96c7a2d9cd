import { describe, expect, it } from 'vitest';
import { countedVsExpected, reconcileDay, type CentralDoc, type DayPosting, type ReconcileInput } from './reconcile-rules.js';

const sale = (id: string, amount: number, extra: Partial<CentralDoc> = {}): CentralDoc => ({
  eventId: `e-${id}`,
  type: 'sale',
  docId: id,
  currency: 'EUR',
  amount,
  tenders: [{ method: 'cash', amount }],
  afterClose: false,
  ...extra,
});
const posted = (id: string, docIds: string[], inErp: boolean | null = true): DayPosting => ({ postingId: `p-${id}`, kind: 'sale', status: 'posted', lastError: null, docIds, inErp, erpRef: `R-${id}` });

function base(): ReconcileInput {
  const docs = [sale('T1', 100), sale('T2', 250)];
  return {
    storeId: 's1',
    businessDate: '2026-11-01',
    close: { businessDate: '2026-11-01', currency: 'EUR', transactionCount: 2, returnCount: 0, salesTotal: 350, returnsTotal: 0, tenders: [{ method: 'cash', amount: 350 }] },
    docs,
    quarantined: [],
    coverage: new Map([
      ['e-T1', 'p-1'],
      ['e-T2', 'p-2'],
    ]),
    queued: new Set(),
    postings: [posted('1', ['T1']), posted('2', ['T2'])],
    erpExtras: [],
    erpError: null,
    counted: [],
  };
}

describe('reconciliation of a store day', () => {
  it('a clean day matches on all three sides', () => {
    const r = reconcileDay(base());
    expect(r.status).toBe('matched');
    expect(r.differences).toEqual([]);
    expect(r.store?.salesTotal).toBe(350);
    expect(r.central).toMatchObject({ transactionCount: 2, salesTotal: 350 });
    expect(r.erp).toMatchObject({ transactionCount: 2, salesTotal: 350 });
  });

  it('a sale the store closed with but central quarantined is named', () => {
    const i = base();
    i.close!.transactionCount = 3;
    i.close!.salesTotal = 420;
    i.close!.tenders = [{ method: 'cash', amount: 420 }];
    i.quarantined = [{ quarantineId: '7', type: 'sale.completed', docId: 'T3', error: 'payload.lines.0.qty: positive' }];
    const r = reconcileDay(i);
    expect(r.status).toBe('differences');
    const d = r.differences.find((x) => x.kind === 'store_vs_central')!;
    expect(d.transactionIds).toEqual(['T3']);
    expect(d.fields).toEqual([
      { field: 'transactionCount', store: 3, central: 2 },
      { field: 'salesTotal', store: 420, central: 350 },
      { field: 'tender:cash', store: 420, central: 350 },
    ]);
    expect(d.message).toMatch(/quarantined.*T3/);
  });

  it('a posted document the ERP does not hold, an unposted one, and an ERP extra are each listed with their ids', () => {
    const i = base();
    i.docs.push(sale('T3', 10));
    i.close = { ...i.close!, transactionCount: 3, salesTotal: 360, tenders: [{ method: 'cash', amount: 360 }] };
    i.coverage = new Map([...i.coverage, ['e-T3', 'p-3']]);
    i.postings = [posted('1', ['T1']), posted('2', ['T2'], false), { ...posted('3', ['T3']), status: 'dead', lastError: 'unknown product', inErp: null }];
    i.erpExtras = [{ postingId: 'p-x', erpRef: 'LEDGER-9' }];
    const r = reconcileDay(i);
    expect(r.differences.map((d) => d.kind)).toEqual(['not_posted', 'missing_in_erp', 'extra_in_erp']);
    expect(r.differences[0]).toMatchObject({ transactionIds: ['T3'], postingIds: ['p-3'] });
    expect(r.differences[0]!.message).toMatch(/dead \(unknown product\)/);
    expect(r.differences[1]).toMatchObject({ transactionIds: ['T2'], postingIds: ['p-2'] });
    expect(r.differences[2]).toMatchObject({ postingIds: ['p-x'] });
    expect(r.erp).toMatchObject({ transactionCount: 1, salesTotal: 100 });
  });

  it('names sales waiting for the day summary apart from sales stored without any posting', () => {
    const i = base();
    i.docs.push(sale('T3', 10), sale('T4', 20));
    i.queued = new Set(['e-T3']);
    const r = reconcileDay({ ...i, close: null });
    expect(r.differences).toMatchObject([{ kind: 'not_posted', transactionIds: ['T3', 'T4'] }]);
    expect(r.differences[0]!.message).toMatch(/T3 waiting for the day summary; T4 stored without an ERP posting/);
  });

  it('without a day close the day is open; sales captured after the close are named as such', () => {
    const open = reconcileDay({ ...base(), close: null });
    expect(open.status).toBe('open');
    const i = base();
    i.docs.push(sale('T9', 5, { afterClose: true }));
    i.coverage = new Map([...i.coverage, ['e-T9', 'p-9']]);
    i.postings.push(posted('9', ['T9']));
    const late = reconcileDay(i);
    expect(late.differences[0]).toMatchObject({ kind: 'store_vs_central', transactionIds: ['T9'] });
    expect(late.differences[0]!.message).toMatch(/after the day close: T9/);
  });

  it('a drawer counted short or over is a difference naming the method and the amounts; counted as tendered matches', () => {
    const even = reconcileDay({ ...base(), counted: [{ method: 'cash', expected: 350, counted: 350, difference: 0 }] });
    expect(even).toMatchObject({ status: 'matched', countedCash: [{ method: 'cash', counted: 350, difference: 0 }], differences: [] });
    const short = reconcileDay({ ...base(), counted: [{ method: 'cash', expected: 350, counted: 300, difference: -50 }] });
    expect(short.status).toBe('differences');
    expect(short.differences).toMatchObject([{ kind: 'counted_cash', details: { counted: [{ method: 'cash', difference: -50 }] } }]);
    expect(short.differences[0]!.message).toBe('counted at the day close differs from what was tendered: cash counted 3.00 EUR, tendered 3.50 EUR (short by 0.50 EUR)');
  });
});

describe('counted against expected', () => {
  const close = (tenders: [string, number][], counted?: [string, number][]) => ({
    businessDate: '2026-11-01',
    currency: 'EUR',
    transactionCount: 1,
    returnCount: 0,
    salesTotal: 0,
    returnsTotal: 0,
    tenders: tenders.map(([method, amount]) => ({ method, amount })),
    ...(counted ? { countedCash: counted.map(([method, amount]) => ({ method, amount })) } : {}),
  });
  it('adds the counts of every till, and the tendered amounts of only the tills that counted that method', () => {
    const rows = countedVsExpected([
      close([['cash', 1000], ['card', 500]], [['cash', 990]]),
      close([['cash', 700]]), // closed uncounted: not expected in the counted drawers
      close([['card', 200]], [['cash', 0], ['card', 200]]), // counted an empty drawer: nothing was expected there
    ]);
    expect(rows).toEqual([
      { method: 'card', expected: 200, counted: 200, difference: 0 },
      { method: 'cash', expected: 1000, counted: 990, difference: -10 },
    ]);
  });
  it('nothing counted (v1 closes, or v2 without a count): no rows', () => {
    expect(countedVsExpected([close([['cash', 5]])])).toEqual([]);
    expect(countedVsExpected([])).toEqual([]);
  });
});
