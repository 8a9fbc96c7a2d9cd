import { describe, expect, it } from 'vitest';
import { budgetText, durationText, kindsText } from './offline-budget.js';

const now = Date.parse('2026-11-29T14:05:00Z');
const hm = (d: Date) => d.toISOString().slice(11, 16);
const none = { oldestAt: null, sales: 0, returns: 0, counts: 0, other: 0 };

describe('offline budget on the status bar', () => {
  it('says how long offline, how long the oldest has waited and what waits, per kind', () => {
    const s = { online: false, offlineSince: '2026-11-29T11:00:00Z', unsent: { oldestAt: '2026-11-29T11:02:00Z', sales: 38, returns: 2, counts: 1, other: 0 } };
    expect(budgetText(s, now, hm)).toBe('Offline for 3 h · 3 h unsent, oldest 11:02: 38 sales, 2 returns, 1 count');
  });
  it('offline with nothing waiting says so', () => {
    expect(budgetText({ online: false, offlineSince: '2026-11-29T14:00:00Z', unsent: none }, now, hm)).toBe('Offline for 5 min · nothing waiting');
  });
  it('online says nothing about a fresh backlog, but names one that has waited', () => {
    expect(budgetText({ online: true, offlineSince: null, unsent: none }, now, hm)).toBe('');
    expect(budgetText({ online: true, offlineSince: null, unsent: { ...none, oldestAt: '2026-11-29T14:04:30Z', sales: 1 } }, now, hm)).toBe('');
    expect(budgetText({ online: true, offlineSince: null, unsent: { ...none, oldestAt: '2026-11-29T13:50:00Z', counts: 2 } }, now, hm)).toBe('15 min unsent, oldest 13:50: 2 counts');
    // A problem holds the events back (central refuses them): named at once.
    expect(budgetText({ online: true, offlineSince: null, lastError: 'too large', unsent: { ...none, oldestAt: '2026-11-29T14:04:30Z', sales: 1 } }, now, hm)).toBe('30 s unsent, oldest 14:04: 1 sale');
  });
  it('words', () => {
    expect(durationText(45_000)).toBe('45 s');
    expect(durationText(86_400_000 * 2 + 5)).toBe('2 days');
    expect(kindsText({ ...none, sales: 1, other: 4 })).toBe('1 sale, 4 other');
  });
});
