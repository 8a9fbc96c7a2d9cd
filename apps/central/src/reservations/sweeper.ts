import type pg from 'pg';
import { type PollLoop, startPollLoop, withTransaction } from '../platform/index.js';
import { expireDue } from './lifecycle.js';
import { finishPendingReroutes, rerouteDue } from './reroute.js';
import { selectReservations, writeTransition } from './reservation-store.js';
import type { ReservationSettings } from './settings.js';

/**
 * "Delivered" normally follows the store's ack at once (the command pusher). An ack whose follow-up failed, or
 * one given before a crash and reported only through hello, is caught up here from devices.applied_command_seq.
 */
export async function catchUpDelivered(pool: pg.Pool, s: ReservationSettings): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const rows = await selectReservations(
      tx,
      `status = 'requested' AND command_seq <= (SELECT COALESCE(MAX(d.applied_command_seq), 0) FROM devices d WHERE d.store_id = reservations.store_id)`,
      [],
      'ORDER BY id LIMIT 200 FOR UPDATE SKIP LOCKED',
    );
    for (const r of rows) await writeTransition(tx, r, 'delivered', { reason: `store acked command ${r.commandSeq}`, webhook: s.webhook !== null });
    return rows.length;
  });
}

/** The reservation sweeper: expiry, R4 reroutes, and delivered catch-up; any node may run it (row locks). */
export function startReservationSweeper(pool: pg.Pool, s: ReservationSettings, log: { warn(obj: object, msg: string): void }): PollLoop {
  return startPollLoop({
    intervalMs: s.sweepIntervalMs,
    onError: (err) => log.warn({ err }, 'reservation sweep failed; will retry'),
    pass: async () => {
      const expired = await expireDue(pool, s);
      await finishPendingReroutes(pool, s);
      const rerouted = await rerouteDue(pool, s);
      await catchUpDelivered(pool, s);
      return expired === 100 || rerouted === 50;
    },
  });
}
