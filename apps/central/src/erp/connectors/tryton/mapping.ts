// The mapping from Outpost's stores and skus to Tryton's warehouse, location and product codes. It lives in a
// JSON file the ERP team edits; it is re-read when its mtime changes, so adding a missing product mapping and
// replaying the dead letter works without restarting central.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';

const code = z.string().min(1, 'must be a Tryton code (not empty)');

/** The file's shape; unknown keys are refused, so a misspelt key is named instead of silently ignored. */
export const trytonMappingSchema = z
  .object({
    stores: z.record(z.string().min(1), z.object({ warehouse: code, location: code }).strict()).default({}),
    products: z.record(z.string().min(1), code).default({}),
    /** The Tryton party every POS document is sold to (its name); "Walk-in customer" when absent. */
    customer: z.string().min(1, 'must be a party name').optional(),
    /**
     * Tryton warnings (by name, `*` wildcard) the integration user acknowledges, as a person would click "Yes";
     * any other warning makes the posting a dead letter with Tryton's words. Default: the stock-quantity warning
     * (the goods already left the store with the customer).
     */
    warnings: z.object({ skip: z.array(z.string().min(1)) }).strict().optional(),
  })
  .strict();
export type TrytonMapping = z.infer<typeof trytonMappingSchema>;

export const DEFAULT_SKIPPED_WARNINGS = ['stock_quantity_warning_*'];

export class MappingError extends Error {
  constructor(
    message: string,
    /** Each problem: the key path and what to do. */
    readonly problems: string[] = [message],
  ) {
    super(message);
  }
}

const FIXES: Record<string, string> = {
  unrecognized_keys: 'remove or rename it (keys: stores, products, customer, warnings; a store has warehouse and location)',
};

/** Validate the mapping file's JSON; the message names every wrong key and how to fix it. */
export function parseMapping(text: string, source = 'mapping'): TrytonMapping {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MappingError(`${source} is not JSON: ${(err as Error).message}`);
  }
  const r = trytonMappingSchema.safeParse(raw);
  if (r.success) return r.data;
  const problems = r.error.issues.map((iss) => {
    const path = iss.path.map(String).join('.');
    const keys = iss.code === 'unrecognized_keys' ? iss.keys.map((k) => (path ? `${path}.${k}` : k)).join(', ') : path || '(top level)';
    return `${keys}: ${iss.message}${FIXES[iss.code] ? `: ${FIXES[iss.code]}` : ''}`;
  });
  throw new MappingError(`${source}: ${problems.join('; ')}`, problems);
}

/** What is missing to post a store's document with these skus, in words an ERP team can act on. */
export function missingMappings(mapping: TrytonMapping, storeId: string, skus: Iterable<string>): string[] {
  const missing: string[] = [];
  if (!mapping.stores[storeId]) missing.push(`store ${storeId} has no warehouse mapping`);
  for (const sku of new Set(skus)) {
    if (!mapping.products[sku]) missing.push(`sku ${sku} has no Tryton product`);
  }
  return missing;
}

/** The mapping file, re-read whenever its modification time or size changes. */
export class MappingFile {
  private cached: { key: string; mapping: TrytonMapping } | null = null;

  constructor(readonly path: string) {}

  current(): TrytonMapping {
    let key: string;
    try {
      const st = statSync(this.path);
      key = `${st.mtimeMs}:${st.size}`;
    } catch (err) {
      throw new MappingError(`Tryton mapping file ${this.path} cannot be read: ${(err as Error).message}`);
    }
    if (this.cached?.key === key) return this.cached.mapping;
    const mapping = parseMapping(readFileSync(this.path, 'utf8'), `Tryton mapping file ${this.path}`);
    this.cached = { key, mapping };
    return mapping;
  }
}
