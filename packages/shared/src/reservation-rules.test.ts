import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  advancesTo,
  canTransition,
  chooseRerouteStore,
  handedOverLines,
  heldBySku,
  heldDelta,
  oversoldVictims,
  pickOutcome,
  RESERVATION_STATUSES,
  type ReservationStatus,
} from './reservation-rules.js';

describe('transitions', () => {
  it('closed states are final and nothing returns to requested', () => {
    for (const from of ['collected', 'cancelled', 'expired'] as const) {
      for (const to of RESERVATION_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
    for (const from of RESERVATION_STATUSES) expect(canTransition(from, 'requested')).toBe(false);
    expect(canTransition('delivered', 'collected')).toBe(false); // a handover needs a pick
    expect(canTransition('picked', 'collected')).toBe(true);
  });

  it("central's status moves a store's copy only forward, never out of a closed state", () => {
    expect(advancesTo('delivered', 'picked')).toBe(true);
    expect(advancesTo('delivered', 'collected')).toBe(true); // a restored till told only the last word
    expect(advancesTo('short_picked', 'collected')).toBe(true);
    expect(advancesTo('collected', 'picked')).toBe(false); // a till that handed over keeps its record
    expect(advancesTo('picked', 'short_picked')).toBe(false); // the till's own pick stands
    expect(advancesTo('picked', 'picked')).toBe(false);
    for (const closed of ['collected', 'cancelled', 'expired'] as const) {
      for (const to of RESERVATION_STATUSES) expect(advancesTo(closed, to)).toBe(false);
    }
  });
});

describe('held stock', () => {
  const lines = [
    { sku: 'A', qty: 3, pickedQty: null },
    { sku: 'B', qty: 1, pickedQty: null },
  ];
  it('holds what was asked before the pick, what was found after, nothing once closed', () => {
    expect([...heldBySku('delivered', lines)]).toEqual([['A', 3], ['B', 1]]);
    const picked = [
      { sku: 'A', qty: 3, pickedQty: 2 },
      { sku: 'B', qty: 1, pickedQty: 0 },
    ];
    expect([...heldBySku('short_picked', picked)]).toEqual([['A', 2], ['B', 0]]);
    expect([...heldBySku('collected', picked)]).toEqual([['A', 0], ['B', 0]]);
    expect([...heldDelta({ status: 'delivered', lines }, { status: 'short_picked', lines: picked })]).toEqual([['A', -1], ['B', -1]]);
    expect(heldDelta({ status: 'requested', lines }, { status: 'delivered', lines }).size).toBe(0);
  });
  it('over any path of transitions, the deltas add up to what the final state holds', () => {
    const statusArb = fc.constantFrom<ReservationStatus>(...RESERVATION_STATUSES);
    fc.assert(
      fc.property(fc.array(statusArb, { maxLength: 8 }), fc.integer({ min: 0, max: 3 }), (path, found) => {
        let cur: ReservationStatus = 'requested';
        let ls = [{ sku: 'A', qty: 3, pickedQty: null as number | null }];
        let total = heldBySku(cur, ls).get('A') ?? 0;
        for (const to of path) {
          if (!canTransition(cur, to)) continue;
          const next = to === 'picked' || to === 'short_picked' ? [{ sku: 'A', qty: 3, pickedQty: found }] : ls;
          total += heldDelta({ status: cur, lines: ls }, { status: to, lines: next }).get('A') ?? 0;
          cur = to;
          ls = next;
        }
        expect(total).toBe(heldBySku(cur, ls).get('A') ?? 0);
        expect(total).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('pickOutcome', () => {
  const reserved = [
    { sku: 'A', qty: 2 },
    { sku: 'B', qty: 1 },
  ];
  it('is picked when every line is found in full, short_picked otherwise (unmentioned lines count as 0)', () => {
    expect(pickOutcome(reserved, [{ sku: 'A', pickedQty: 2 }, { sku: 'B', pickedQty: 1 }])).toMatchObject({ ok: true, status: 'picked' });
    const short = pickOutcome(reserved, [{ sku: 'A', pickedQty: 2 }]);
    expect(short).toMatchObject({ ok: true, status: 'short_picked' });
    if (short.ok) expect(handedOverLines(short.lines)).toEqual([{ sku: 'A', qty: 2 }]);
  });
  it('refuses more than reserved, foreign skus and repeats', () => {
    expect(pickOutcome(reserved, [{ sku: 'A', pickedQty: 3 }])).toMatchObject({ ok: false });
    expect(pickOutcome(reserved, [{ sku: 'Z', pickedQty: 1 }])).toMatchObject({ ok: false });
    expect(pickOutcome(reserved, [{ sku: 'A', pickedQty: 1 }, { sku: 'A', pickedQty: 1 }])).toMatchObject({ ok: false });
  });
});

describe('R4 helpers', () => {
  it('puts the newest reservations at risk until they cover the shortage', () => {
    const holding = [
      { reservationId: 'r1', createdAt: '2026-01-01T10:00:00Z', qty: 2 },
      { reservationId: 'r2', createdAt: '2026-01-01T11:00:00Z', qty: 1 },
      { reservationId: 'r3', createdAt: '2026-01-01T12:00:00Z', qty: 1 },
    ];
    expect(oversoldVictims(1, holding).map((r) => r.reservationId)).toEqual(['r3']);
    expect(oversoldVictims(2, holding).map((r) => r.reservationId)).toEqual(['r3', 'r2']);
    expect(oversoldVictims(3, holding).map((r) => r.reservationId)).toEqual(['r3', 'r2', 'r1']);
    expect(oversoldVictims(0, holding)).toEqual([]);
  });
  it('reroutes to a store that can serve every line, preferring the most to spare', () => {
    const lines = [
      { sku: 'A', qty: 2 },
      { sku: 'B', qty: 1 },
    ];
    const c = (storeId: string, a: number, b: number) => ({ storeId, available: new Map([['A', a], ['B', b]]) });
    expect(chooseRerouteStore(lines, [c('s1', 5, 0), c('s2', 2, 1), c('s3', 9, 4)])).toBe('s3');
    expect(chooseRerouteStore(lines, [c('s1', 5, 0), c('s2', 1, 9)])).toBeNull();
    expect(chooseRerouteStore(lines, [c('b', 3, 2), c('a', 3, 2)])).toBe('a');
  });
});
