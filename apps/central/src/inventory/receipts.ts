import type pg from 'pg';
import { CURRENT_COMMAND_VERSION, uuidv7, type HybridClock } from '@outpost/shared';
import { notFound, stampAfterStore, toNumber } from '../platform/index.js';
import { appendCommand, withCommands } from '../commands/index.js';
import { applyMovements, lockInventory } from './inventory-store.js';
import type { StoredMovement } from './inventory-rules.js';

export interface ReceiptInput {
  receiptId: string;
  lines: { sku: string; qty: number }[];
}

export interface ReceiptResult {
  receiptId: string;
  hlc: string;
  commandSeq: number;
  /** False when the receipt was booked before: the first booking's answer, nothing applied again. */
  created: boolean;
}

/** Movement source id of a central receipt: distinct from event ids (UUIDs), stable across repeats. */
export const receiptSourceId = (receiptId: string): string => `receipt:${receiptId}`;

/**
 * Book a receipt centrally (docs/protocol.md `stock.received`) in ONE transaction: stamp it with central's clock, add
 * its sellable movements under the same R3 rules as store events, and append a `stock.received` command carrying
 * the stamp, so the store orders it against its own counts as central does. The same receiptId again answers
 * the first booking.
 */
export async function bookReceipt(pool: pg.Pool, clock: HybridClock, storeId: string, body: ReceiptInput): Promise<ReceiptResult> {
  return withCommands(pool, async (tx, notices) => {
    const store = await tx.query('SELECT 1 FROM stores WHERE store_id = $1', [storeId]);
    if (store.rowCount === 0) throw notFound(`store ${storeId}`, { storeId });
    // After the store's latest count of these skus: a store whose clock runs ahead stamped its counts in central's
    // future, and a receipt booked after them must still be ordered after them (R3), here and at the store.
    const seen = await tx.query<{ hlc: string | null }>('SELECT max(hlc) AS hlc FROM inventory_counts WHERE store_id = $1 AND sku = ANY($2::text[])', [
      storeId,
      [...new Set(body.lines.map((l) => l.sku))],
    ]);
    const hlc = stampAfterStore(clock, seen.rows[0]?.hlc ?? null, Date.now());
    // Claim the receipt id first: a concurrent repeat waits here on the key, then sees the first booking.
    const claimed = await tx.query(
      `INSERT INTO receipts (store_id, receipt_id, hlc, lines, command_seq) VALUES ($1, $2, $3, $4::jsonb, 0) ON CONFLICT DO NOTHING`,
      [storeId, body.receiptId, hlc, JSON.stringify(body.lines)],
    );
    if (claimed.rowCount === 0) {
      const first = await tx.query<{ hlc: string; command_seq: string }>('SELECT hlc, command_seq FROM receipts WHERE store_id = $1 AND receipt_id = $2', [
        storeId,
        body.receiptId,
      ]);
      const row = first.rows[0]!;
      return { receiptId: body.receiptId, hlc: row.hlc, commandSeq: toNumber(row.command_seq), created: false };
    }
    const movements: StoredMovement[] = body.lines.map((l, lineNo) => ({
      hlc,
      sourceId: receiptSourceId(body.receiptId),
      sku: l.sku,
      qty: l.qty,
      bucket: 'sellable',
      lineNo,
    }));
    const locked = await lockInventory(tx, storeId, [...new Set(body.lines.map((l) => l.sku))]);
    await applyMovements(tx, storeId, movements, locked.base);
    const cmd = await appendCommand(
      tx,
      notices,
      storeId,
      'stock.received',
      { receiptId: body.receiptId, lines: body.lines, hlc },
      uuidv7(),
      CURRENT_COMMAND_VERSION['stock.received'],
    );
    await tx.query('UPDATE receipts SET command_seq = $3 WHERE store_id = $1 AND receipt_id = $2', [storeId, body.receiptId, cmd.seq]);
    return { receiptId: body.receiptId, hlc, commandSeq: cmd.seq, created: true };
  });
}
