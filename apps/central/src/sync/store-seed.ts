import type pg from 'pg';
import type { ReservationLine, ReservationStatus, Seed, SeedPick } from '@outpost/shared';
import { toNumber, withTransaction } from '../platform/index.js';

/**
 * The picture a till that holds none gets before its command stream (`seed`, protocol v3): the item master, the
 * store's stock as central merged it, and its open reservations, all read in ONE repeatable-read snapshot
 * together with the store's command seq. Every writer that appends a command changes its effect (inventory,
 * reservation, item) in the same transaction, so the picture holds exactly the commands up to `atSeq` and none
 * after: the stream resumed after `atSeq` never applies a command twice, and nothing new is appended to build it.
 */
export async function readStoreSeed(pool: pg.Pool, storeId: string, deviceId: string, now: () => Date = () => new Date()): Promise<Seed> {
  return withTransaction(pool, async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const store = await tx.query<{ command_seq: string }>('SELECT command_seq FROM stores WHERE store_id = $1', [storeId]);
    if (!store.rows[0]) throw new Error(`unknown store ${storeId}`);
    const atSeq = toNumber(store.rows[0].command_seq);
    const device = await tx.query<{ stored_seq: string }>('SELECT stored_seq FROM devices WHERE device_id = $1 AND store_id = $2', [deviceId, storeId]);
    const items = await tx.query<{ sku: string; name: string; price: string; currency: string; version: number }>(
      'SELECT sku, name, price, currency, version FROM items ORDER BY sku',
    );
    const stock = await tx.query<{ sku: string; on_hand: string; damaged: string; quarantine: string }>(
      'SELECT sku, on_hand, damaged, quarantine FROM inventory WHERE store_id = $1 ORDER BY sku',
      [storeId],
    );
    const picks = await tx.query<PickRow>(
      `SELECT reservation_id, order_id, status, lines, expires_at, command_seq, created_at, correlation_id
       FROM reservations WHERE store_id = $1 AND status IN ('requested', 'delivered', 'at_risk', 'picked', 'short_picked') AND command_seq <= $2
       ORDER BY reservation_id`,
      [storeId, atSeq],
    );
    return {
      atSeq,
      deviceStoredSeq: toNumber(device.rows[0]?.stored_seq ?? 0),
      takenAt: now().toISOString(),
      items: items.rows.map((i) => ({ sku: i.sku, name: i.name, price: toNumber(i.price), currency: i.currency, version: i.version })),
      stock: stock.rows.map((s) => ({ sku: s.sku, onHand: toNumber(s.on_hand), damaged: toNumber(s.damaged), quarantine: toNumber(s.quarantine) })),
      picks: picks.rows.map(seedPick),
    };
  });
}

interface PickRow {
  reservation_id: string;
  order_id: string;
  status: ReservationStatus;
  lines: ReservationLine[];
  expires_at: Date;
  command_seq: string;
  created_at: Date;
  correlation_id: string;
}

/** Central's open statuses in the store's words: everything not picked yet is a pick to do there. */
export function storePickStatus(status: ReservationStatus): SeedPick['status'] {
  return status === 'picked' || status === 'short_picked' ? status : 'delivered';
}

function seedPick(r: PickRow): SeedPick {
  return {
    reservationId: r.reservation_id,
    orderId: r.order_id,
    status: storePickStatus(r.status),
    lines: r.lines.map((l) => ({ sku: l.sku, qty: l.qty, pickedQty: l.pickedQty ?? null })),
    expiresAt: r.expires_at.toISOString(),
    createdSeq: toNumber(r.command_seq),
    createdAt: r.created_at.toISOString(),
    correlationId: r.correlation_id,
  };
}
