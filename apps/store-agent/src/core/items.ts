import { asc, eq, gt } from 'drizzle-orm';
import type { AgentDb } from './db/open.js';
import { items } from './db/schema.js';

export type ItemRow = typeof items.$inferSelect;

/** The local item master as a §10 list: `{items, next}` with the last sku as cursor. */
export function listItems(adb: AgentDb, q: { sku?: string | undefined; after?: string | undefined; limit: number }): { items: ItemRow[]; next: string | null } {
  if (q.sku !== undefined) {
    const row = adb.db.select().from(items).where(eq(items.sku, q.sku)).get();
    return { items: row ? [row] : [], next: null };
  }
  const base = adb.db.select().from(items);
  const rows = (q.after === undefined ? base : base.where(gt(items.sku, q.after))).orderBy(asc(items.sku)).limit(q.limit + 1).all();
  const page = rows.slice(0, q.limit);
  return { items: page, next: rows.length > q.limit ? (page[page.length - 1]?.sku ?? null) : null };
}
