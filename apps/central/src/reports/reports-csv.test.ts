import { describe, expect, it } from 'vitest';
import { toCsv } from './reports-csv.js';
import { reportDays } from './reports-window.js';

describe('toCsv', () => {
  it('writes a header and one CRLF line per row in column order, empty for null', () => {
    const csv = toCsv(['storeId', 'sales', 'lastSeenAt'], [
      { storeId: 'store-1', sales: 3, lastSeenAt: null },
      { storeId: 'store-2', sales: -1, lastSeenAt: '2026-11-23T10:00:00.000Z', ignored: 'x' },
    ]);
    expect(csv).toBe('storeId,sales,lastSeenAt\r\nstore-1,3,\r\nstore-2,-1,2026-11-23T10:00:00.000Z\r\n');
  });

  it('quotes commas, quotes and line breaks, and defuses formula-like text but not negative numbers', () => {
    const csv = toCsv(['reasonCode', 'qty'], [
      { reasonCode: 'a,b "c"', qty: 1 },
      { reasonCode: '=HYPERLINK("x")', qty: -2 },
      { reasonCode: 'two\nlines', qty: 0 },
    ]);
    expect(csv.split('\r\n')).toEqual(['reasonCode,qty', '"a,b ""c""",1', `"'=HYPERLINK(""x"")",-2`, '"two\nlines",0', '']);
  });
});

describe('reportDays', () => {
  const now = new Date('2026-11-23T22:10:00Z');
  it('defaults to the 30 days ending today (UTC)', () => {
    expect(reportDays({}, now)).toEqual({ from: '2026-10-25', to: '2026-11-23' });
    expect(reportDays({ to: '2026-03-01' }, now)).toEqual({ from: '2026-01-31', to: '2026-03-01' });
  });
  it('refuses a reversed or over-long span with a 400', () => {
    expect(() => reportDays({ from: '2026-11-24', to: '2026-11-23' }, now)).toThrow(/after/);
    expect(() => reportDays({ from: '2025-01-01', to: '2026-11-23' }, now)).toThrow(/at most 366 days/);
    expect(reportDays({ from: '2025-11-23', to: '2026-11-23' }, now)).toEqual({ from: '2025-11-23', to: '2026-11-23' });
  });
});
