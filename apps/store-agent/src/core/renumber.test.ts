import { describe, expect, it } from 'vitest';
import { planRenumber } from './renumber.js';

describe('planRenumber', () => {
  it('restored copy, nothing sent past central: the tail moves after central in one piece (21..60 -> 51..90)', () => {
    expect(planRenumber({ conflictSeq: 21, storedSeq: 50, lastSeq: 60, highestSent: 50 })).toEqual({ from: 21, to: 60, shift: 30, ackedSeq: 50, lastSeq: 90 });
  });
  it('restored copy that captured fewer than central holds: 21..30 -> 51..60', () => {
    expect(planRenumber({ conflictSeq: 21, storedSeq: 50, lastSeq: 30, highestSent: 30 })).toEqual({ from: 21, to: 30, shift: 30, ackedSeq: 50, lastSeq: 60 });
  });
  it('a clone that already sent seqs above central: only the colliding seqs move, behind everything it has', () => {
    expect(planRenumber({ conflictSeq: 51, storedSeq: 70, lastSeq: 80, highestSent: 80 })).toEqual({ from: 51, to: 70, shift: 30, ackedSeq: 70, lastSeq: 100 });
  });
  it('refuses nonsense (a conflict above central or above what this device has)', () => {
    expect(planRenumber({ conflictSeq: 51, storedSeq: 50, lastSeq: 60, highestSent: 0 })).toBeNull();
    expect(planRenumber({ conflictSeq: 61, storedSeq: 70, lastSeq: 60, highestSent: 0 })).toBeNull();
    expect(planRenumber({ conflictSeq: 0, storedSeq: 70, lastSeq: 60, highestSent: 0 })).toBeNull();
  });
});
