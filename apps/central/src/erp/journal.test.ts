import { describe, expect, it } from 'vitest';
import { CUTOFF_RE, daySummaries, documentTotals } from './documents.js';
import { journalOf, journalProblem, type JournalLine } from './journal.js';
import type { EventEnvelope } from '@outpost/shared';

const sum = (lines: JournalLine[], side: 'debit' | 'credit') => lines.reduce((s, l) => s + l[side], 0);
const byAccount = (lines: JournalLine[]) => Object.fromEntries(lines.map((l) => [l.account, l.debit - l.credit]));

describe('ledger posting rules', () => {
  it('a sale debits its tenders and credits revenue net of tax and tax payable; stock leaves the store', () => {
    const e = journalOf('s1', {
      kind: 'sale',
      transactionId: 'T-1',
      businessDate: '2026-11-01',
      currency: 'EUR',
      lines: [
        { sku: 'A', qty: 2, unitPrice: 500, taxAmount: 167 },
        { sku: 'B', qty: 1, unitPrice: 300 },
      ],
      tenders: [
        { method: 'card', amount: 1000 },
        { method: 'cash', amount: 300 },
      ],
    });
    expect(byAccount(e.lines)).toEqual({ 'tender:card': 1000, 'tender:cash': 300, sales_revenue: -1133, tax_payable: -167 });
    expect(sum(e.lines, 'debit')).toBe(sum(e.lines, 'credit'));
    expect(journalProblem(e)).toBeNull();
    expect(e.moves).toEqual([
      { sku: 'A', qty: 2, from: 'store:s1/sellable', to: 'customer' },
      { sku: 'B', qty: 1, from: 'store:s1/sellable', to: 'customer' },
    ]);
  });

  it('tendered more than sold keeps the difference visible on cash over/short, still balanced', () => {
    const e = journalOf('s1', { kind: 'sale', transactionId: 'T', businessDate: '2026-11-01', currency: 'EUR', lines: [{ sku: 'A', qty: 1, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 500 }] });
    expect(byAccount(e.lines)).toEqual({ 'tender:cash': 500, sales_revenue: -450, cash_over_short: -50 });
    expect(journalProblem(e)).toBeNull();
  });

  it('a return debits sales returns and credits the refund tender; stock goes back to the bucket of its disposition', () => {
    const e = journalOf('s1', {
      kind: 'return',
      returnId: 'R-1',
      originalTransactionId: 'T-1',
      businessDate: '2026-11-01',
      currency: 'EUR',
      lines: [
        { sku: 'A', qty: 1, refundAmount: 500, reasonCode: 'size', disposition: 'restock' },
        { sku: 'B', qty: 1, refundAmount: 300, reasonCode: 'broken', disposition: 'damaged' },
      ],
    });
    expect(byAccount(e.lines)).toEqual({ sales_returns: 800, 'tender:refund': -800 });
    expect(e.moves.map((m) => m.to)).toEqual(['store:s1/sellable', 'store:s1/damaged']);
    expect(e.description).toMatch(/R-1 of sale T-1/);
  });

  it('a count books no money and adjusts stock by its variance (nothing for a zero variance)', () => {
    const e = journalOf('s1', {
      kind: 'count',
      countId: 'C',
      businessDate: '2026-11-01',
      lines: [
        { sku: 'A', countedQty: 8, variance: -2 },
        { sku: 'B', countedQty: 5, variance: 3 },
        { sku: 'C', countedQty: 1, variance: 0 },
      ],
    });
    expect(e.lines).toEqual([]);
    expect(e.moves).toEqual([
      { sku: 'A', qty: 2, from: 'store:s1/sellable', to: 'inventory_adjustment' },
      { sku: 'B', qty: 3, from: 'inventory_adjustment', to: 'store:s1/sellable' },
    ]);
  });

  it('refuses an unbalanced entry and a zero quantity move with a reason', () => {
    expect(journalProblem({ description: '', currency: 'EUR', lines: [{ account: 'x', debit: 5, credit: 0 }], moves: [] })).toMatch(/does not balance: debit 5, credit 0/);
    expect(journalProblem({ description: '', currency: 'EUR', lines: [], moves: [{ sku: 'A', qty: 0, from: 'a', to: 'b' }] })).toMatch(/quantity 0/);
  });
});

const ev = (type: 'sale.completed' | 'return.received', payload: object): EventEnvelope<'sale.completed' | 'return.received'> =>
  ({ eventId: crypto.randomUUID(), type, payload }) as unknown as EventEnvelope<'sale.completed' | 'return.received'>;

describe('day summaries', () => {
  it('aggregate sale lines per sku and price, returns per sku, reason and disposition, tenders per method; one per currency', () => {
    const events = [
      ev('sale.completed', { transactionId: 'T1', currency: 'EUR', lines: [{ sku: 'A', qty: 1, unitPrice: 100, taxAmount: 10 }], tenders: [{ method: 'cash', amount: 100 }] }),
      ev('sale.completed', { transactionId: 'T2', currency: 'EUR', lines: [{ sku: 'A', qty: 2, unitPrice: 100, taxAmount: 20 }, { sku: 'A', qty: 1, unitPrice: 90 }], tenders: [{ method: 'card', amount: 290 }] }),
      ev('return.received', { returnId: 'R1', currency: 'EUR', lines: [{ sku: 'A', qty: 1, refundAmount: 100, reasonCode: 'size', disposition: 'restock' }] }),
      ev('sale.completed', { transactionId: 'T3', currency: 'GBP', lines: [{ sku: 'B', qty: 1, unitPrice: 70 }], tenders: [{ method: 'cash', amount: 70 }] }),
    ];
    const [eur, gbp] = daySummaries('2026-11-01', events);
    expect(eur).toMatchObject({
      currency: 'EUR',
      lines: [
        { sku: 'A', qty: 3, unitPrice: 100, taxAmount: 30 },
        { sku: 'A', qty: 1, unitPrice: 90 },
      ],
      returns: [{ sku: 'A', qty: 1, refundAmount: 100, reasonCode: 'size', disposition: 'restock' }],
      tenders: [
        { method: 'card', amount: 290 },
        { method: 'cash', amount: 100 },
      ],
      transactionIds: ['T1', 'T2'],
      returnIds: ['R1'],
    });
    expect(documentTotals(eur!)).toEqual({ salesTotal: 390, returnsTotal: 100 });
    expect(gbp).toMatchObject({ currency: 'GBP', transactionIds: ['T3'] });
    // The summary's journal balances like the sales it stands for.
    expect(journalProblem(journalOf('s1', eur!))).toBeNull();
  });

  it('accepts cut-offs as HH:MM on a 24-hour clock only', () => {
    expect(['00:00', '04:30', '23:59'].every((c) => CUTOFF_RE.test(c))).toBe(true);
    expect(['24:00', '4:30', '04:60', '04:30Z'].some((c) => CUTOFF_RE.test(c))).toBe(false);
  });

});
