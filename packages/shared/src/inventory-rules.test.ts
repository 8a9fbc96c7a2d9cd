import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { available, replaySku, type CountObservation, type Movement } from './inventory-rules.js';

const h = (ms: number, c = 0, node = 'dev-a') => `${String(ms).padStart(15, '0')}:${String(c).padStart(5, '0')}:${node}`;
const mv = (ms: number, qty: number, bucket: Movement['bucket'] = 'sellable', id = `m${ms}`): Movement => ({ hlc: h(ms), sourceId: id, sku: 'A', qty, bucket });
const cnt = (ms: number, countedQty: number, node = 'dev-a'): CountObservation => ({ hlc: h(ms, 0, node), sourceId: `c${ms}${node}`, sku: 'A', countedQty });

describe('R3: counts set on-hand, later movements add on top', () => {
  it('a count taken offline arriving after sales that happened after it', () => {
    // Count at t=10 says 20; sales at t=11 and t=12 of 2 and 3; a receipt before the count (t=5) of 15.
    const s = replaySku('A', [mv(12, -3), mv(11, -2), mv(5, 15)], [cnt(10, 20)]);
    expect(s.onHand).toBe(15);
    expect(s.counts[0]).toMatchObject({ expected: 15, variance: 5, superseded: false });
  });
  it('of two counts the later hlc wins and the other is superseded, whatever the list order', () => {
    const s = replaySku('A', [mv(1, 10), mv(15, -1)], [cnt(20, 7, 'dev-b'), cnt(10, 9, 'dev-a')]);
    expect(s.onHand).toBe(7);
    expect(s.baseCount?.hlc).toBe(h(20, 0, 'dev-b'));
    expect(s.counts.map((c) => c.superseded)).toEqual([true, false]);
    expect(s.counts[1]).toMatchObject({ expected: 8, variance: -1 });
  });
  it('damaged and quarantined returns do not add sellable stock', () => {
    const s = replaySku('A', [mv(1, 5), mv(2, 2, 'damaged'), mv(3, 1, 'quarantine'), mv(4, 1)], []);
    expect(s).toMatchObject({ onHand: 6, damaged: 2, quarantine: 1 });
  });
  it('is independent of input order', () => {
    const fact = fc.record({ ms: fc.integer({ min: 1, max: 50 }), qty: fc.integer({ min: -5, max: 5 }), isCount: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fact, { maxLength: 30 }), (raw) => {
        const facts = raw.map((f, i) => ({ ...f, id: `f${i}` }));
        const ms = facts.filter((f) => !f.isCount).map((f) => mv(f.ms, f.qty, 'sellable', f.id));
        const cs = facts.filter((f) => f.isCount).map((f) => ({ hlc: h(f.ms, 0, f.id), sourceId: f.id, sku: 'A', countedQty: Math.abs(f.qty) }));
        const a = replaySku('A', ms, cs);
        const b = replaySku('A', [...ms].reverse(), [...cs].reverse());
        expect(b.onHand).toBe(a.onHand);
        expect(b.baseCount).toEqual(a.baseCount);
      }),
    );
  });
});

describe('available', () => {
  it('is on-hand less reservations and safety stock, never negative', () => {
    expect(available(10, 3, 2)).toBe(5);
    expect(available(2, 5)).toBe(0);
  });
});
