import { describe, expect, it } from 'vitest';
import { confirmBody, groupPicks, initialPicked, pickOutcome, scanItem, type Pick } from './picks-rules.js';

const pick: Pick = {
  reservationId: 'R-1',
  orderId: 'ORD-1',
  status: 'delivered',
  createdAt: '2026-11-23T10:00:00.000Z',
  expiresAt: null,
  lines: [
    { sku: 'A', qty: 2, pickedQty: null },
    { sku: 'B', qty: 1, pickedQty: null },
  ],
};

describe('picking', () => {
  it('groups open picks into to-pick and waiting-for-customer, oldest first', () => {
    const later = { ...pick, reservationId: 'R-2', createdAt: '2026-11-23T11:00:00.000Z' };
    const g = groupPicks([later, { ...pick, reservationId: 'R-3', status: 'short_picked' }, pick, { ...pick, status: 'collected' }]);
    expect(g.toPick.map((p) => p.reservationId)).toEqual(['R-1', 'R-2']);
    expect(g.waiting.map((p) => p.reservationId)).toEqual(['R-3']);
  });

  it('a full pick confirms as picked; a lower line as short_picked, naming what is missing', () => {
    expect(initialPicked(pick)).toEqual([0, 0]); // nothing counts as picked before it is scanned or typed
    expect(pickOutcome(pick, [2, 1])).toEqual({ status: 'picked', short: [], error: null });
    expect(pickOutcome(pick, [1, 1])).toEqual({ status: 'short_picked', short: [{ sku: 'A', missing: 1 }], error: null });
    expect(pickOutcome(pick, [3, 1]).error).toMatch(/A: picked quantity must be a whole number from 0 to 2/);
    expect(pickOutcome(pick, [1.5, 1]).status).toBeNull();
    expect(confirmBody(pick, [1, 0])).toEqual({ lines: [{ sku: 'A', pickedQty: 1 }, { sku: 'B', pickedQty: 0 }] });
  });

  it('scanning starts the card from zero, counts each item, and refuses extras and strangers', () => {
    let r = scanItem(pick, initialPicked(pick), 'A');
    expect(r).toEqual({ picked: [1, 0], error: null });
    r = scanItem(pick, r.picked, 'A');
    expect(r.picked).toEqual([2, 0]);
    const extra = scanItem(pick, r.picked, 'A');
    expect(extra).toEqual({ picked: [2, 0], error: 'A: all 2 already picked' });
    expect(scanItem(pick, r.picked, 'Z').error).toBe('Z is not on order ORD-1: put it back');
  });
});
