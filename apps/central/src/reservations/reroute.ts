import type pg from 'pg';
import { available, chooseRerouteStore } from '@outpost/shared';
import { writeConflicts } from '../inventory/index.js';
import { withCommands } from '../commands/index.js';
import { toNumber, withTransaction } from '../platform/index.js';
import { closeReservation } from './lifecycle.js';
import { loadReservation, selectReservations, writeTransition } from './reservation-store.js';
import type { ReservationRow } from './reservation-row.js';
import { lockReservation } from './locks.js';
import { reserveInTx } from './reserve.js';
import type { ReservationSettings } from './settings.js';

// R4 reroute, in steps with compensation rather than one cross-store transaction (docs/adr/0005-store-first-keys.md):
//  1. claim the at-risk reservation (reroute_tried = true) so one node tries it once;
//  2. reserve the same lines at the chosen store (its own transaction, availability re-checked under lock);
//  3. cancel the original (reason "rerouted"); if it was picked or closed meanwhile, cancel the new one instead.
// A crash between 2 and 3 leaves a reservation whose rerouted_from names the original: step 3 is finished from
// there on the next pass (finishPendingReroutes).

async function candidates(pool: pg.Pool, s: ReservationSettings, row: ReservationRow) {
  const r = await pool.query<{ store_id: string; sku: string; on_hand: string; reserved: string }>(
    'SELECT store_id, sku, on_hand, reserved FROM inventory WHERE sku = ANY($1::text[]) AND store_id <> $2',
    [row.lines.map((l) => l.sku), row.storeId],
  );
  const byStore = new Map<string, Map<string, number>>();
  for (const x of r.rows) {
    const m = byStore.get(x.store_id) ?? new Map<string, number>();
    m.set(x.sku, available(toNumber(x.on_hand), toNumber(x.reserved), s.safetyStock));
    byStore.set(x.store_id, m);
  }
  return [...byStore].map(([storeId, avail]) => ({ storeId, available: avail }));
}

/** Step 3, also used to finish a reroute a crash interrupted. */
async function completeReroute(pool: pg.Pool, s: ReservationSettings, original: string, moved: ReservationRow): Promise<'rerouted' | 'compensated'> {
  return withCommands(pool, async (tx, notices) => {
    const closed = await closeReservation(tx, notices, s, original, 'cancelled', `rerouted to store ${moved.storeId} as ${moved.reservationId}`, { reroutedTo: moved.reservationId });
    if (closed) {
      await writeConflicts(tx, [
        {
          kind: 'rerouted',
          storeId: closed.storeId,
          sku: null,
          inputs: { reservationId: original, orderId: closed.orderId, to: { storeId: moved.storeId, reservationId: moved.reservationId } },
          resolution: `reservation moved to store ${moved.storeId}`,
          correlationId: closed.correlationId,
        },
      ]);
      return 'rerouted';
    }
    // The original was picked, cancelled or expired meanwhile: the move is no longer wanted.
    await closeReservation(tx, notices, s, moved.reservationId, 'cancelled', `reroute of ${original} withdrawn: the original was no longer at risk`);
    return 'compensated';
  });
}

/** Try to reroute one at-risk reservation that allows it; answers what happened. */
export async function rerouteOne(pool: pg.Pool, s: ReservationSettings, reservationId: string): Promise<'rerouted' | 'compensated' | 'no_stock' | 'skipped'> {
  const claimed = await pool.query(
    `UPDATE reservations SET reroute_tried = true WHERE reservation_id = $1 AND status = 'at_risk' AND allow_reroute AND NOT reroute_tried`,
    [reservationId],
  );
  if (claimed.rowCount === 0) return 'skipped';
  const row = await loadReservation(pool, reservationId);
  if (!row) return 'skipped';
  const wanted = row.lines.map((l) => ({ sku: l.sku, qty: l.qty }));
  let pool_ = await candidates(pool, s, row);
  // The best store first; if it lost the stock between the look and the lock, the next best.
  for (let tries = 0; tries < 3; tries++) {
    const target = chooseRerouteStore(wanted, pool_);
    if (!target) break;
    const moved = await withCommands(pool, (tx, notices) =>
      reserveInTx(tx, notices, s, { orderId: row.orderId, storeId: target, lines: wanted, expiresAt: row.expiresAt.toISOString(), allowReroute: true, correlationId: row.correlationId, reroutedFrom: row.reservationId }, new Date()),
    );
    if (moved.kind !== 'unavailable') return completeReroute(pool, s, row.reservationId, moved.row);
    pool_ = pool_.filter((c) => c.storeId !== target);
  }
  await withTransaction(pool, async (tx) => {
    const peek = await loadReservation(tx, reservationId);
    const cur = peek && (await lockReservation(tx, peek));
    if (!cur || cur.status !== 'at_risk') return;
    await writeTransition(tx, cur, cur.status, { reason: null, webhook: s.webhook !== null, exception: 'oversold and no other store has the stock to take it over' });
    await writeConflicts(tx, [
      {
        kind: 'reroute_failed',
        storeId: cur.storeId,
        sku: null,
        inputs: { reservationId, orderId: cur.orderId, lines: wanted },
        resolution: 'no other store can serve every line; raised to the order system as an exception',
        correlationId: cur.correlationId,
      },
    ]);
  });
  return 'no_stock';
}

/** Finish reroutes whose step 3 did not run (crash): a live reservation rerouted from one still at risk. */
export async function finishPendingReroutes(pool: pg.Pool, s: ReservationSettings): Promise<number> {
  const moved = await selectReservations(
    pool,
    `rerouted_from IS NOT NULL AND status IN ('requested', 'delivered', 'at_risk', 'picked', 'short_picked')
     AND EXISTS (SELECT 1 FROM reservations o WHERE o.reservation_id = reservations.rerouted_from AND o.status = 'at_risk' AND o.reroute_tried)`,
    [],
    'LIMIT 50',
  );
  for (const m of moved) await completeReroute(pool, s, m.reroutedFrom!, m);
  return moved.length;
}

/** At-risk reservations waiting for their reroute attempt. */
export async function rerouteDue(pool: pg.Pool, s: ReservationSettings, limit = 50): Promise<number> {
  const due = await selectReservations(pool, `status = 'at_risk' AND allow_reroute AND NOT reroute_tried`, [], `ORDER BY id LIMIT ${Number(limit)}`);
  for (const r of due) await rerouteOne(pool, s, r.reservationId);
  return due.length;
}
