import type { EventEnvelope, ReservationStatus } from '@outpost/shared';

// A reservation is picked once and handed over once (docs/rules.md, R5a), as plain functions over data. A till
// restored from an older copy of its data folder has lost its own record of a pick or handover it made and may do
// it again; central keeps such a repeat as the till's fact and applies nothing of it.

/** What central holds of a reservation's pick and handover, to tell a first one from a repeat. */
export interface HandledState {
  status: ReservationStatus;
  lines: readonly { pickedQty: number | null }[];
  pickEventId: string | null;
  pickupEventId: string | null;
}

/** The event that took effect as the reservation's pick, or as its handover, if one did (rows from before such events were recorded carry it in their state). */
export function appliedPick(r: HandledState): string | null {
  return r.pickEventId ?? (r.lines.some((l) => typeof l.pickedQty === 'number') ? 'recorded' : null);
}
export function appliedPickup(r: HandledState): string | null {
  return r.pickupEventId ?? (r.status === 'collected' ? 'recorded' : null);
}

/**
 * The handovers of a batch that repeat one central already applied (or an earlier one of the same batch), in seq
 * order. A till restored from an older copy of its data folder has lost its own record of the handover and may
 * do it again; the goods left the store once, so such a repeat must not move stock: this is decided before the
 * batch's movements are applied. Picks move nothing and are told apart as they are applied.
 */
export function repeatedPickups(events: readonly EventEnvelope[], rows: ReadonlyMap<string, HandledState>): Set<string> {
  const handedOver = new Set<string>();
  const out = new Set<string>();
  for (const ev of events) {
    if (ev.type !== 'pickup.completed') continue;
    const id = (ev as EventEnvelope<'pickup.completed'>).payload.reservationId;
    const row = rows.get(id);
    if (handedOver.has(id) || (row && appliedPickup(row) !== null)) out.add(ev.eventId);
    // A pickup of a reservation central does not hold moves stock like any first one (and is logged unexpected).
    if (row) handedOver.add(id);
  }
  return out;
}

