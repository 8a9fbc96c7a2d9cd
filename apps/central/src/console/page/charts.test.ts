import { describe, expect, it } from 'vitest';
import { niceMax, pivot } from './charts.js';

describe('console chart helpers', () => {
  it('niceMax rounds an axis end up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, -3, 0.75, 1, 3, 7, 80, 101, 1850, 999].map(niceMax)).toEqual([1, 1, 1, 1, 5, 10, 100, 200, 2000, 1000]);
  });

  it('pivot aligns one series per key on the sorted categories, summing duplicates and filling gaps with 0', () => {
    const rows = [
      { day: '2026-11-21', store: 'york', amount: 5 },
      { day: '2026-11-20', store: 'leeds', amount: 3 },
      { day: '2026-11-21', store: 'leeds', amount: 4 },
      { day: '2026-11-21', store: 'leeds', amount: 1 },
    ];
    expect(pivot(rows, 'day', 'store', 'amount')).toEqual({
      categories: ['2026-11-20', '2026-11-21'],
      series: [
        { name: 'leeds', values: [3, 5] },
        { name: 'york', values: [0, 5] },
      ],
    });
    expect(pivot([], 'day', 'store', 'amount')).toEqual({ categories: [], series: [] });
  });
});
