import { describe, expect, it } from 'vitest';
import { summarizeUnsent } from './offline-budget.js';

describe('offline budget', () => {
  it('counts unsent events per kind and names the oldest', () => {
    expect(
      summarizeUnsent([
        { type: 'sale.completed', n: 38, oldest: '2026-11-29T11:02:00.000Z' },
        { type: 'return.received', n: 2, oldest: '2026-11-29T12:00:00.000Z' },
        { type: 'count.submitted', n: 1, oldest: '2026-11-29T10:59:30.000+00:00' },
        { type: 'stock.adjusted', n: 3, oldest: '2026-11-29T13:00:00.000Z' },
        { type: 'day.closed', n: 1, oldest: '2026-11-29T14:00:00.000Z' },
      ]),
    ).toEqual({ oldestAt: '2026-11-29T10:59:30.000+00:00', sales: 38, returns: 2, counts: 1, other: 4 });
  });
  it('is empty when everything is at central', () => {
    expect(summarizeUnsent([])).toEqual({ oldestAt: null, sales: 0, returns: 0, counts: 0, other: 0 });
  });
});
