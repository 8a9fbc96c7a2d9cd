import type pg from 'pg';
import type { z } from 'zod';
import { uuidv7, type centralApi } from '@outpost/shared';
import { notFound, toNumber } from '../platform/index.js';
import { withCommands } from './command-stream.js';
import { appendCommandToEveryStore } from './command-broadcast.js';

type Item = z.infer<typeof centralApi.itemSchema>;

interface Row {
  sku: string;
  name: string;
  price: string;
  currency: string;
  version: number;
  updated_at: Date;
}

const toItem = (r: Row): Item => ({
  sku: r.sku,
  name: r.name,
  price: toNumber(r.price),
  currency: r.currency,
  version: r.version,
  updatedAt: r.updated_at.toISOString(),
});

/**
 * Central owns the item master (R6): each write is a new version, and the same transaction appends an
 * `item.upserted` command to every store's stream, so a committed price always reaches every store.
 */
export async function upsertItem(pool: pg.Pool, sku: string, body: { name: string; price: number; currency: string }): Promise<Item> {
  return withCommands(pool, async (tx, notices) => {
    const r = await tx.query<Row>(
      `INSERT INTO items (sku, name, price, currency, version) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, price = EXCLUDED.price, currency = EXCLUDED.currency,
         version = items.version + 1, updated_at = now()
       RETURNING sku, name, price, currency, version, updated_at`,
      [sku, body.name, body.price, body.currency],
    );
    const item = toItem(r.rows[0]!);
    const correlationId = uuidv7();
    await appendCommandToEveryStore(tx, notices, 'item.upserted', { sku, name: item.name, price: item.price, currency: item.currency, version: item.version }, correlationId);
    return item;
  });
}

export async function getItem(pool: pg.Pool, sku: string): Promise<Item> {
  const r = await pool.query<Row>('SELECT sku, name, price, currency, version, updated_at FROM items WHERE sku = $1', [sku]);
  if (!r.rows[0]) throw notFound(`item ${sku}`, { sku });
  return toItem(r.rows[0]);
}
