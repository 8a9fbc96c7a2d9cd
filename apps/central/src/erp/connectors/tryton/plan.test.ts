import { describe, expect, it } from 'vitest';
import type { ErpPosting } from '../../connector.js';
import { planPosting } from './plan.js';
import type { TrytonMapping } from './mapping.js';

const mapping: TrytonMapping = {
  stores: { 's-1': { warehouse: 'ST001', location: 'ST001-FLOOR' } },
  products: { A: 'P-A', B: 'P-B' },
};
const posting = (document: ErpPosting['document'], storeId = 's-1'): ErpPosting => ({
  postingId: 'post-1',
  storeId,
  correlationId: 'corr-1',
  document,
});

describe('planPosting', () => {
  it('makes a sale a sale.sale referenced by the posting id, carrying the correlation id', () => {
    const r = planPosting(
      posting({ kind: 'sale', transactionId: 'T1', businessDate: '2026-01-02', currency: 'USD', lines: [{ sku: 'A', qty: 2, unitPrice: 1990 }], tenders: [] }),
      mapping,
    );
    expect(r).toMatchObject({
      ok: true,
      plan: { model: 'sale.sale', reference: 'post-1', warehouseCode: 'ST001', lines: [{ productCode: 'P-A', qty: 2, unitPrice: 1990 }] },
    });
    if (r.ok && r.plan.model === 'sale.sale') expect(r.plan.comment).toContain('corr-1');
  });

  it('makes a return negative lines; damaged goods are refunded without a stock move', () => {
    const r = planPosting(
      posting({
        kind: 'return',
        returnId: 'R1',
        originalTransactionId: null,
        businessDate: '2026-01-02',
        currency: 'USD',
        lines: [
          { sku: 'A', qty: 3, refundAmount: 1000, reasonCode: 'size', disposition: 'restock' },
          { sku: 'B', qty: 1, refundAmount: 500, reasonCode: 'broken', disposition: 'damaged' },
        ],
      }),
      mapping,
    );
    if (!r.ok || r.plan.model !== 'sale.sale') throw new Error('expected a sale plan');
    expect(r.plan.lines.map((l) => [l.productCode, l.qty, l.unitPrice])).toEqual([
      ['P-A', -1, 334],
      ['P-A', -2, 333],
      [null, -1, 500],
    ]);
    // the money of the lines is exactly the refund
    expect(r.plan.lines.reduce((s, l) => s + l.qty * l.unitPrice, 0)).toBe(-1500);
  });

  it('makes a count a stock.inventory of the store location, summing a sku counted twice', () => {
    const r = planPosting(
      posting({ kind: 'count', countId: 'C1', businessDate: '2026-01-02', lines: [{ sku: 'A', countedQty: 4, variance: 0 }, { sku: 'A', countedQty: 1, variance: 0 }] }),
      mapping,
    );
    expect(r).toEqual({
      ok: true,
      plan: { model: 'stock.inventory', reference: 'post-1', locationCode: 'ST001-FLOOR', date: '2026-01-02', lines: [{ sku: 'A', productCode: 'P-A', qty: 5 }] },
    });
  });

  it('aggregates a day summary into one document with its returns', () => {
    const r = planPosting(
      posting({
        kind: 'day_summary',
        businessDate: '2026-01-02',
        currency: 'USD',
        lines: [{ sku: 'A', qty: 5, unitPrice: 100 }],
        returns: [{ sku: 'B', qty: 1, refundAmount: 50, reasonCode: 'x', disposition: 'restock' }],
        tenders: [],
        transactionIds: ['T1', 'T2'],
        returnIds: ['R1'],
      }),
      mapping,
    );
    if (!r.ok || r.plan.model !== 'sale.sale') throw new Error('expected a sale plan');
    expect(r.plan.lines.map((l) => [l.productCode, l.qty])).toEqual([['P-A', 5], ['P-B', -1]]);
    expect(r.plan.description).toContain('2 sales, 1 returns');
  });

  it('lists every missing mapping instead of a plan', () => {
    const r = planPosting(
      posting({ kind: 'sale', transactionId: 'T1', businessDate: '2026-01-02', currency: 'USD', lines: [{ sku: 'Z', qty: 1, unitPrice: 1 }], tenders: [] }, 's-9'),
      mapping,
    );
    expect(r).toEqual({ ok: false, missing: ['store s-9 has no warehouse mapping', 'sku Z has no Tryton product'] });
  });
});
