import { describe, expect, it } from 'vitest';
import { decimalFromMinor, minorFromDecimal, splitTotal, trytonDate } from './encoding.js';

describe('Tryton encoding', () => {
  it('turns minor units into exact decimal strings', () => {
    expect(decimalFromMinor(1990, 2)).toEqual({ __class__: 'Decimal', decimal: '19.90' });
    expect(decimalFromMinor(5, 2).decimal).toBe('0.05');
    expect(decimalFromMinor(-1990, 2).decimal).toBe('-19.90');
    expect(decimalFromMinor(0, 2).decimal).toBe('0.00');
    expect(decimalFromMinor(1234, 0).decimal).toBe('1234');
    expect(decimalFromMinor(1234, 3).decimal).toBe('1.234');
    // 0.1 + 0.2 style drift is impossible: large amounts stay exact
    expect(decimalFromMinor(900719925474099, 2).decimal).toBe('9007199254740.99');
  });

  it('refuses money that is not integer minor units', () => {
    expect(() => decimalFromMinor(19.9, 2)).toThrow(/integer minor units/);
  });

  it('reads decimals back into minor units', () => {
    expect(minorFromDecimal({ __class__: 'Decimal', decimal: '19.9000' }, 2)).toBe(1990);
    expect(minorFromDecimal('-0.05', 2)).toBe(-5);
    expect(minorFromDecimal('12', 2)).toBe(1200);
    expect(() => minorFromDecimal('1.005', 2)).toThrow(/decimal places/);
    expect(() => minorFromDecimal('abc', 2)).toThrow(/not a decimal/);
  });

  it('encodes dates', () => {
    expect(trytonDate('2026-03-09')).toEqual({ __class__: 'date', year: 2026, month: 3, day: 9 });
    expect(() => trytonDate('09/03/2026')).toThrow();
  });

  it('splits a line total into exact unit prices that sum back to it', () => {
    expect(splitTotal(1000, 4)).toEqual([{ qty: 4, unit: 250 }]);
    expect(splitTotal(1000, 3)).toEqual([
      { qty: 1, unit: 334 },
      { qty: 2, unit: 333 },
    ]);
    expect(splitTotal(-7, 2)).toEqual([
      { qty: 1, unit: -4 },
      { qty: 1, unit: -3 },
    ]);
    for (const [total, qty] of [[999, 7], [1, 5], [0, 3], [123457, 11]] as const) {
      const parts = splitTotal(total, qty);
      expect(parts.reduce((s, p) => s + p.qty * p.unit, 0)).toBe(total);
      expect(parts.reduce((s, p) => s + p.qty, 0)).toBe(qty);
    }
  });
});
