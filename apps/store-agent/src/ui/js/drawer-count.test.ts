import { describe, expect, it } from 'vitest';
import { MAX_MINOR_UNITS } from '@outpost/shared';
import { closeBody, countRows, readCount } from './drawer-count.js';

describe('the drawer count at day close', () => {
  it('counts cash always, then every tendered method once, each with what the tenders say', () => {
    expect(countRows([])).toEqual([{ method: 'cash', expected: 0 }]);
    expect(countRows([{ method: 'card', amount: 450 }, { method: 'cash', amount: 1150 }, { method: 'card', amount: 50 }])).toEqual([
      { method: 'cash', expected: 1150 },
      { method: 'card', expected: 500 },
    ]);
  });
  it('reads a typed amount against the expected one: short, over, even; empty is not counted', () => {
    expect(readCount('', 1150, 'EUR')).toEqual({ state: 'empty' });
    expect(readCount('11,00', 1150, 'EUR')).toEqual({ state: 'counted', amount: 1100, difference: -50, text: 'expected €11.50: short by €0.50' });
    expect(readCount('12', 1150, 'EUR')).toMatchObject({ amount: 1200, difference: 50, text: 'expected €11.50: over by €0.50' });
    expect(readCount('11.50', 1150, 'EUR')).toMatchObject({ difference: 0, text: 'expected €11.50: matches the tenders' });
  });
  it('refuses what is not an amount the shared schema would take (negative, too many decimals, beyond the money bound)', () => {
    for (const t of ['-5', '1.234', 'abc', String(MAX_MINOR_UNITS / 100 + 1)]) expect(readCount(t, 0, 'EUR'), t).toMatchObject({ state: 'invalid' });
    expect(readCount(String(MAX_MINOR_UNITS / 100), 0, 'EUR')).toMatchObject({ state: 'counted', amount: MAX_MINOR_UNITS });
  });
  it('builds the close body from what was counted; none counted sends none; a bad amount stops the close', () => {
    const rows = [
      { method: 'cash', expected: 1150, text: '11,00' },
      { method: 'card', expected: 450, text: '' },
    ];
    expect(closeBody(rows, 'EUR')).toEqual({ ok: true, body: { countedCash: [{ method: 'cash', amount: 1100 }] } });
    expect(closeBody(rows.map((r) => ({ ...r, text: '' })), 'EUR')).toEqual({ ok: true, body: undefined });
    expect(closeBody([...rows, { method: 'voucher', expected: 0, text: 'ten' }], 'EUR')).toEqual({ ok: false, method: 'voucher', text: '"ten" is not an amount in EUR' });
  });
});
