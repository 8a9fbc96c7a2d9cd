import { z } from 'zod';

/** `limit` of every list: default 100, up to 1,000. */
export const limitSchema = z.coerce.number().int().min(1).max(1000).default(100);

/** Every list answers `{items, next}`; `next` is the cursor to pass as `after=` (null at the end). */
export function listResponse<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next: z.string().nullable() });
}
