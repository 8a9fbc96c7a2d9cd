import { describe, expect, it } from 'vitest';
import { addCount, isLargeVariance, removeCount, reviewRows, setCount } from './count-sheet.js';

describe('count sheet', () => {
  it('each scan of an sku counts one more; typing a quantity adds it', () => {
    let s = addCount([], 'A', 1);
    s = addCount(s, 'B', 5);
    s = addCount(s, 'A', 1);
    expect(s).toEqual([
      { sku: 'A', countedQty: 2 },
      { sku: 'B', countedQty: 5 },
    ]);
    expect(setCount(s, 'B', 0)[1]?.countedQty).toBe(0);
    expect(setCount(s, 'B', -1)).toBe(s);
    expect(removeCount(s, 'A')).toEqual([{ sku: 'B', countedQty: 5 }]);
  });

  it('the review shows the difference against the stock picture, unknown when the till has none', () => {
    const rows = reviewRows(
      [
        { sku: 'A', countedQty: 2 },
        { sku: 'B', countedQty: 7 },
      ],
      new Map([['A', 5]]),
    );
    expect(rows).toEqual([
      { sku: 'A', countedQty: 2, expected: 5, difference: -3 },
      { sku: 'B', countedQty: 7, expected: null, difference: null },
    ]);
  });

  it('a large difference asks for a second look: 10 units, or 5 that are over half of what the till expects', () => {
    expect(isLargeVariance({ expected: 25, difference: -21 })).toBe(true);
    expect(isLargeVariance({ expected: 100, difference: 10 })).toBe(true);
    expect(isLargeVariance({ expected: 8, difference: 5 })).toBe(true);
    expect(isLargeVariance({ expected: 20, difference: -6 })).toBe(false);
    expect(isLargeVariance({ expected: 5, difference: -3 })).toBe(false);
    expect(isLargeVariance({ expected: null, difference: null })).toBe(false);
  });
});
