import { z } from 'zod';
import { storableString } from '../bounds.js';

/** `limit` of every list: default 100, up to 1,000. */
export const limitSchema = z.coerce.number().int().min(1).max(1000).default(100);

/** Every list answers `{items, next}`; `next` is the cursor to pass as `after=` (null at the end). */
export function listResponse<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next: z.string().nullable() });
}

/**
 * A text filter of a list query (storeId, sku, type ...): compared with stored text in SQL, so it must be text
 * the database accepts (a NUL made PostgreSQL fail the query: a 500 instead of a 400).
 */
export const textFilterSchema = storableString(0, 1024);
