import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from './money.js';

describe('associate UI money', () => {
  it('formats integer minor units by the currency exponent, with thousands and sign', () => {
    expect(formatMoney(450, 'EUR')).toBe('€4.50');
    expect(formatMoney(5, 'EUR')).toBe('€0.05');
    expect(formatMoney(123456789, 'GBP')).toBe('£1,234,567.89');
    expect(formatMoney(-1999, 'USD')).toBe('-$19.99');
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
    expect(formatMoney(1234, 'KWD')).toBe('1.234 KWD');
    expect(formatMoney(0, 'PLN')).toBe('0.00 PLN');
  });

  it('parses what an associate types into minor units, refusing what is not an amount', () => {
    expect(parseMoney('4.50', 'EUR')).toBe(450);
    expect(parseMoney('4,5', 'EUR')).toBe(450);
    expect(parseMoney(' € 12 ', 'EUR')).toBe(1200);
    expect(parseMoney('1,234.50', 'EUR')).toBe(123450);
    expect(parseMoney('1,234', 'EUR')).toBe(123400);
    expect(parseMoney('19.99 usd', 'USD')).toBe(1999);
    expect(parseMoney('0.1', 'EUR')).toBe(10); // never 10.000000000000002
    expect(parseMoney('1500', 'JPY')).toBe(1500);
    for (const bad of ['', 'abc', '4.505', '-3', '1.2.3', '4.5', '1e3']) {
      expect(parseMoney(bad, bad === '4.5' ? 'JPY' : 'EUR'), bad).toBeNull();
    }
  });
});
