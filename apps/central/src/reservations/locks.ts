import { lockInventory } from '../inventory/index.js';
import type { Queryable } from '../platform/index.js';
import type { ReservationRow } from './reservation-row.js';
import { selectReservations } from './reservation-store.js';

/**
 * The one lock order of every write that can change what a reservation holds: first the inventory rows of the
 * skus involved (lockInventory: sku byte order), then the reservation rows (`order`, by id unless said). A grant
 * (which locks only stock rows, in the same order), a cancel or expiry, a reroute, the sweeper and ingest all take
 * their locks this way, so none can hold a reservation row while it waits for a stock row another one holds.
 * Locking rows this transaction already holds costs a query and nothing else; a caller that holds the stock rows
 * already (ingest locks every sku of a batch up front) passes no skus.
 * Writes that hold nothing new (a delivery ack) lock reservation rows alone, with SKIP LOCKED, and never wait.
 */
export async function lockStockThenReservations(
  tx: Queryable,
  storeId: string,
  skus: readonly string[],
  reservations: { where: string; params: unknown[]; order?: string },
): Promise<ReservationRow[]> {
  if (skus.length > 0) await lockInventory(tx, storeId, [...new Set(skus)]);
  return selectReservations(tx, reservations.where, reservations.params, `${reservations.order ?? 'ORDER BY id'} FOR UPDATE`);
}

/** One reservation locked in the house order (its skus' stock first); null when it is gone or of another store. */
export async function lockReservation(tx: Queryable, peek: ReservationRow): Promise<ReservationRow | null> {
  const rows = await lockStockThenReservations(tx, peek.storeId, peek.lines.map((l) => l.sku), {
    where: 'store_id = $1 AND reservation_id = $2',
    params: [peek.storeId, peek.reservationId],
  });
  return rows[0] ?? null;
}
