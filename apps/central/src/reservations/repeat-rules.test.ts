import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@outpost/shared';
import { appliedPick, appliedPickup, repeatedPickups, type HandledState } from './repeat-rules.js';

const pickup = (eventId: string, reservationId: string) =>
  ({ eventId, type: 'pickup.completed', payload: { reservationId, lines: [{ sku: 'A', qty: 1 }] } }) as unknown as EventEnvelope;
const sale = (eventId: string) => ({ eventId, type: 'sale.completed', payload: {} }) as unknown as EventEnvelope;
const state = (over: Partial<HandledState> = {}): HandledState => ({ status: 'picked', lines: [{ pickedQty: 1 }], pickEventId: null, pickupEventId: null, ...over });

describe('repeated picks and handovers', () => {
  it('a pick or handover is applied when central holds none for the reservation yet', () => {
    expect(appliedPick(state({ status: 'delivered', lines: [{ pickedQty: null }] }))).toBeNull();
    expect(appliedPick(state({ pickEventId: 'e1' }))).toBe('e1');
    // Rows from before the event ids were recorded: the picked quantities say a pick was applied.
    expect(appliedPick(state())).toBe('recorded');
    expect(appliedPickup(state())).toBeNull();
    expect(appliedPickup(state({ status: 'collected' }))).toBe('recorded');
    expect(appliedPickup(state({ status: 'cancelled', pickupEventId: 'e2' }))).toBe('e2');
  });

  it('names the handovers that repeat an applied one, or an earlier one of the batch; other events are never repeats', () => {
    const rows = new Map<string, HandledState>([
      ['r-open', state()],
      ['r-done', state({ status: 'collected', pickupEventId: 'old' })],
    ]);
    const batch = [sale('s1'), pickup('p1', 'r-open'), pickup('p2', 'r-done'), pickup('p3', 'r-open'), pickup('p4', 'r-unknown'), pickup('p5', 'r-unknown')];
    expect([...repeatedPickups(batch, rows)]).toEqual(['p2', 'p3']);
  });
});
