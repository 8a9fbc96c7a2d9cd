import type pg from 'pg';
import type { z } from 'zod';
import { available, type centralApi } from '@outpost/shared';
import { AppError, decodeKeyCursor, encodeKeyCursor, toNumber } from '../platform/index.js';

type InventoryRow = z.infer<typeof centralApi.inventoryRowSchema>;
type CountItem = z.infer<typeof centralApi.inventoryCountSchema>;
interface ListQuery {
  storeId?: string | undefined;
  sku?: string | undefined;
  after?: string | undefined;
  limit: number;
}

const badCursor = () => new AppError(400, 'validation_failed', 'after is not a cursor returned as next');

// Keys compare byte-wise (COLLATE "C") in both ORDER BY and the cursor predicate, so pages never skip or repeat.

/** GET /inventory: one row per (store, sku), ordered by store then sku; available = on-hand − reserved − safety (R4). */
export async function listInventory(pool: pg.Pool, q: ListQuery, safetyStock = 0): Promise<{ items: InventoryRow[]; next: string | null }> {
  const after = decodeKeyCursor(q.after, 2);
  if (after === 'invalid') throw badCursor();
  const r = await pool.query<{ store_id: string; sku: string; on_hand: string; reserved: string; damaged: string; quarantine: string }>(
    `SELECT store_id, sku, on_hand, reserved, damaged, quarantine FROM inventory
     WHERE ($1::text IS NULL OR store_id = $1) AND ($2::text IS NULL OR sku = $2)
       AND ($3::text IS NULL OR (store_id COLLATE "C", sku COLLATE "C") > ($3::text COLLATE "C", $4::text COLLATE "C"))
     ORDER BY store_id COLLATE "C", sku COLLATE "C" LIMIT $5`,
    [q.storeId ?? null, q.sku ?? null, after?.[0] ?? null, after?.[1] ?? null, q.limit],
  );
  const items = r.rows.map((row) => ({
    storeId: row.store_id,
    sku: row.sku,
    onHand: toNumber(row.on_hand),
    reserved: toNumber(row.reserved),
    available: available(toNumber(row.on_hand), toNumber(row.reserved), safetyStock),
    damaged: toNumber(row.damaged),
    quarantine: toNumber(row.quarantine),
  }));
  const last = r.rows.at(-1);
  return { items, next: r.rows.length === q.limit && last ? encodeKeyCursor([last.store_id, last.sku]) : null };
}

/** GET /inventory/counts: counts with expected and variance (inventory accuracy), by store, sku, hlc. */
export async function listCounts(pool: pg.Pool, q: ListQuery): Promise<{ items: CountItem[]; next: string | null }> {
  const after = decodeKeyCursor(q.after, 4);
  if (after === 'invalid') throw badCursor();
  const r = await pool.query<{
    store_id: string;
    sku: string;
    hlc: string;
    source_id: string;
    counted_qty: number;
    expected: string;
    variance: string;
    status: 'active' | 'superseded';
    created_at: Date;
  }>(
    `SELECT store_id, sku, hlc, source_id, counted_qty, expected, variance, status, created_at FROM inventory_counts
     WHERE ($1::text IS NULL OR store_id = $1) AND ($2::text IS NULL OR sku = $2)
       AND ($3::text IS NULL OR (store_id COLLATE "C", sku COLLATE "C", hlc, source_id COLLATE "C")
                                > ($3::text COLLATE "C", $4::text COLLATE "C", $5::text COLLATE "C", $6::text COLLATE "C"))
     ORDER BY store_id COLLATE "C", sku COLLATE "C", hlc, source_id COLLATE "C" LIMIT $7`,
    [q.storeId ?? null, q.sku ?? null, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, after?.[3] ?? null, q.limit],
  );
  const items = r.rows.map((c) => ({
    storeId: c.store_id,
    sku: c.sku,
    sourceId: c.source_id,
    hlc: c.hlc,
    countedQty: c.counted_qty,
    expected: toNumber(c.expected),
    variance: toNumber(c.variance),
    status: c.status,
    createdAt: c.created_at.toISOString(),
  }));
  const last = r.rows.at(-1);
  return { items, next: r.rows.length === q.limit && last ? encodeKeyCursor([last.store_id, last.sku, last.hlc, last.source_id]) : null };
}
