import { countsOf, movementsOf, type EventEnvelope } from '@outpost/shared';
import { applyCounts, applyMovements, type ConflictRecord, linkReturns, lockInventory, type StoredMovement, writeConflicts } from '../inventory/index.js';
import type { Queryable } from '../platform/index.js';
import { applyReservationEvents, checkOversold, planReservationEvents, type ReservationSettings, reservationSkus } from '../reservations/index.js';
import type { CommandNotices } from '../commands/index.js';

// What newly stored events do to central's picture (R3, R7, unknown skus), inside the ingest transaction.
// Only events actually inserted reach here, so a resent batch changes nothing (R1).

/** Each movement keeps its line number: with the source id, the idempotency key of the movement row. */
export function storedMovementsOf(events: readonly EventEnvelope[]): StoredMovement[] {
  const out: StoredMovement[] = [];
  for (const ev of events) movementsOf(ev).forEach((m, lineNo) => out.push({ ...m, lineNo }));
  return out;
}

/** A sale or return line whose sku the item master does not hold: captured and applied anyway, and flagged. */
function unknownSkuConflicts(storeId: string, events: readonly EventEnvelope[], known: ReadonlySet<string>): ConflictRecord[] {
  const seen = new Set<string>();
  const out: ConflictRecord[] = [];
  for (const ev of events) {
    if (ev.type !== 'sale.completed' && ev.type !== 'return.received') continue;
    for (const { sku } of ev.payload.lines) {
      const key = `${ev.eventId}\u0000${sku}`;
      if (known.has(sku) || seen.has(key)) continue;
      seen.add(key);
      out.push({
        kind: 'unknown_sku',
        storeId,
        sku,
        inputs: { eventId: ev.eventId, type: ev.type },
        resolution: 'captured and applied to inventory anyway; add the item to the item master',
        correlationId: ev.correlationId,
      });
    }
  }
  return out;
}

/** Apply the inventory effects and conflict rules (R3, R4, R5, R7) of events just inserted for one store. */
export async function applyEventEffects(
  tx: Queryable,
  storeId: string,
  events: readonly EventEnvelope[],
  reservations: ReservationSettings,
  /** Commands the rules append (R5 restock) are announced after the ingest transaction commits. */
  notices: CommandNotices,
): Promise<void> {
  if (events.length === 0) return;
  const counts = events.flatMap((ev) => countsOf(ev));
  const conflicts: ConflictRecord[] = [];
  const resSkus = await reservationSkus(tx, storeId, events);
  const skus = [...new Set([...storedMovementsOf(events).map((m) => m.sku), ...counts.map((c) => c.sku), ...resSkus])];
  if (skus.length > 0) {
    // Every sku this batch touches is locked once, in one order: inventory rows before reservation rows.
    const locked = await lockInventory(tx, storeId, skus);
    // A handover that repeats one already applied (a restored till did it again) is kept, not applied: no movement.
    const repeats = await planReservationEvents(tx, storeId, events);
    const movements = storedMovementsOf(repeats.size === 0 ? events : events.filter((ev) => !repeats.has(ev.eventId)));
    // Movements first: a count applied after them recomputes from the stored movements, so order within a batch
    // does not matter.
    await applyMovements(tx, storeId, movements, locked.base);
    if (counts.length > 0) {
      const corr = new Map(events.map((e) => [e.eventId, e.correlationId]));
      conflicts.push(...(await applyCounts(tx, storeId, counts, (id) => corr.get(id) ?? null)));
    }
    // Every sale and return line has a movement, so its sku was looked up while locking.
    conflicts.push(...unknownSkuConflicts(storeId, events, locked.known));
    // Picks and handovers after their movements; then R4 over everything this batch moved.
    conflicts.push(...(await applyReservationEvents(tx, notices, reservations, storeId, events, repeats)));
    conflicts.push(...(await checkOversold(tx, reservations, storeId, skus)));
  }
  conflicts.push(...(await linkReturns(tx, storeId, events)));
  await writeConflicts(tx, conflicts);
}
