import { describe, expect, it } from 'vitest';
import { countAfter, distinctCounts, expectedAdjustments, isAfterBase, placeCount, planMovements, type StoredMovement } from './inventory-rules.js';

const h = (wall: number, node = 'n') => `${String(wall).padStart(15, '0')}:00000:${node}`;
const mv = (wall: number, qty: number, bucket: StoredMovement['bucket'] = 'sellable', sku = 'A'): StoredMovement => ({
  hlc: h(wall),
  sourceId: `m${wall}`,
  sku,
  qty,
  bucket,
  lineNo: 0,
});

describe('central inventory rules', () => {
  it('a movement moves on-hand only when strictly after the base count (same hlc: the count saw it)', () => {
    expect(isAfterBase(h(5), null)).toBe(true);
    expect(isAfterBase(h(6), h(5))).toBe(true);
    expect(isAfterBase(h(5), h(5))).toBe(false);
    expect(isAfterBase(h(4), h(5))).toBe(false);
  });

  it('plans deltas per sku and keeps sellable movements before the base apart; damaged/quarantine always add', () => {
    const base = new Map([['A', h(10)]]);
    const plan = planMovements([mv(5, -2), mv(12, -1), mv(3, 4, 'damaged'), mv(1, 1, 'sellable', 'B')], base);
    expect(plan.deltas.get('A')).toEqual({ sellable: -1, damaged: 4, quarantine: 0 });
    expect(plan.deltas.get('B')).toEqual({ sellable: 1, damaged: 0, quarantine: 0 });
    expect(plan.early.map((m) => m.sourceId)).toEqual(['m5']);
  });

  it('an early movement feeds the first count at or after it', () => {
    const counts = [
      { hlc: h(5), sourceId: 'c1' },
      { hlc: h(9), sourceId: 'c2' },
    ];
    expect(countAfter(h(5), counts)?.sourceId).toBe('c1');
    expect(countAfter(h(6), counts)?.sourceId).toBe('c2');
    expect(countAfter(h(10), counts)).toBeNull();
    expect(expectedAdjustments([mv(2, -1), mv(4, -2), mv(7, 3)], new Map([['A', counts]]))).toEqual([
      { sku: 'A', sourceId: 'c1', qty: -3 },
      { sku: 'A', sourceId: 'c2', qty: 3 },
    ]);
  });

  it('places a count between its neighbours by (hlc, sourceId)', () => {
    const existing = [
      { hlc: h(5), sourceId: 'b' },
      { hlc: h(9), sourceId: 'x' },
      { hlc: h(5), sourceId: 'a' },
    ];
    expect(placeCount({ hlc: h(5), sourceId: 'c' }, existing)).toEqual({ prev: existing[0], next: existing[1] });
    expect(placeCount({ hlc: h(1), sourceId: 'z' }, existing)).toEqual({ prev: null, next: existing[2] });
    expect(placeCount({ hlc: h(10), sourceId: 'a' }, existing)).toEqual({ prev: existing[1], next: null });
  });

  it('keeps the last line of an sku listed twice in one count, and sorts counts by stamp', () => {
    const out = distinctCounts([
      { hlc: h(9), sourceId: 'e2', sku: 'A', countedQty: 1 },
      { hlc: h(3), sourceId: 'e1', sku: 'A', countedQty: 4 },
      { hlc: h(3), sourceId: 'e1', sku: 'A', countedQty: 6 },
    ]);
    expect(out.map((c) => [c.sourceId, c.countedQty])).toEqual([
      ['e1', 6],
      ['e2', 1],
    ]);
  });
});
