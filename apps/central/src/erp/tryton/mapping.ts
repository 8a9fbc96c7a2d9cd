// The mapping from Outpost's stores and skus to Tryton's warehouse, location and product codes. It lives in a
// JSON file the ERP team edits; it is re-read when its mtime changes, so adding a missing product mapping and
// replaying the dead letter works without restarting central.
import { readFileSync, statSync } from 'node:fs';

export interface TrytonMapping {
  stores: Record<string, { warehouse: string; location: string }>;
  products: Record<string, string>;
  /** The Tryton party every POS document is sold to (its name); "Walk-in customer" when absent. */
  customer?: string;
}

export class MappingError extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Validate the mapping file's JSON; the message names the first wrong entry. */
export function parseMapping(text: string, source = 'mapping'): TrytonMapping {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new MappingError(`${source} is not JSON: ${(err as Error).message}`);
  }
  if (!isRecord(raw)) throw new MappingError(`${source} must be a JSON object with "stores" and "products"`);
  const stores: TrytonMapping['stores'] = {};
  const products: TrytonMapping['products'] = {};
  const rawStores = raw.stores ?? {};
  const rawProducts = raw.products ?? {};
  if (!isRecord(rawStores)) throw new MappingError(`${source}: "stores" must be an object`);
  if (!isRecord(rawProducts)) throw new MappingError(`${source}: "products" must be an object`);
  for (const [storeId, v] of Object.entries(rawStores)) {
    if (!isRecord(v) || !nonEmpty(v.warehouse) || !nonEmpty(v.location)) {
      throw new MappingError(`${source}: store "${storeId}" needs {"warehouse": code, "location": code}`);
    }
    stores[storeId] = { warehouse: v.warehouse, location: v.location };
  }
  for (const [sku, code] of Object.entries(rawProducts)) {
    if (!nonEmpty(code)) throw new MappingError(`${source}: sku "${sku}" must map to a Tryton product code`);
    products[sku] = code;
  }
  const mapping: TrytonMapping = { stores, products };
  if (raw.customer !== undefined) {
    if (!nonEmpty(raw.customer)) throw new MappingError(`${source}: "customer" must be a party name`);
    mapping.customer = raw.customer;
  }
  return mapping;
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
