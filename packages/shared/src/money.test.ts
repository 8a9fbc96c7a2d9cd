import { describe, expect, it } from 'vitest';
import { addMoney, formatMoney, minorUnitsSchema, sumMinor } from './money.js';

describe('money', () => {
  it('adds integer minor units and refuses mixed currencies', () => {
    expect(addMoney({ amount: 199, currency: 'EUR' }, { amount: 1, currency: 'EUR' })).toEqual({ amount: 200, currency: 'EUR' });
    expect(() => addMoney({ amount: 1, currency: 'EUR' }, { amount: 1, currency: 'USD' })).toThrow(/EUR and USD/);
  });
  it('refuses fractional amounts and overflow', () => {
    expect(minorUnitsSchema.safeParse(1.5).success).toBe(false);
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
  it('formats by the currency exponent', () => {
    expect(formatMoney({ amount: -1234, currency: 'EUR' })).toBe('-12.34 EUR');
    expect(formatMoney({ amount: 500, currency: 'JPY' })).toBe('500 JPY');
    expect(formatMoney({ amount: 1005, currency: 'KWD' })).toBe('1.005 KWD');
  });
});
