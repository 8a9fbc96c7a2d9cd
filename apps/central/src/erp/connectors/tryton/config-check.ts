// What central checks once at start with `--erp tryton`: the mapping against central's stores and items, and
// against Tryton itself (the login, the company, the customer, every mapped warehouse, location and product).
// Each problem names the key to fix; none of them stops central (stores keep syncing, postings wait as dead
// letters), but they show in GET /api/v1/erp/status, /readyz and the console before the first posting fails.
import { TrytonRpcError } from './json-rpc.js';
import { MappingError, type MappingFile } from './mapping.js';
import { MissingMasterData, type TrytonMasterData } from './master-data.js';

/** What central holds that the mapping should cover. */
export interface CentralKnown {
  storeIds: readonly string[];
  skus: readonly string[];
}

/** Past this many of one kind, the rest are counted, not listed. */
const MAX_LISTED = 20;

function capped(problems: string[], what: string): string[] {
  if (problems.length <= MAX_LISTED) return problems;
  return [...problems.slice(0, MAX_LISTED), `... and ${problems.length - MAX_LISTED} more ${what}`];
}

export async function checkTrytonConfig(md: TrytonMasterData, mapping: MappingFile, known: CentralKnown, customerDefault: string): Promise<string[]> {
  let m;
  try {
    m = mapping.current();
  } catch (err) {
    if (err instanceof MappingError) return err.problems.map((p) => `${mapping.path}: ${p}`);
    throw err;
  }
  const file = mapping.path;
  const problems: string[] = [];
  problems.push(...capped(known.storeIds.filter((s) => !m.stores[s]).map((s) => `store ${s} has no warehouse mapping: add "stores"."${s}" to ${file}`), 'stores without a mapping'));
  // A mapped store central does not have yet is fine: the mapping is often written before the store is added.
  problems.push(...capped(known.skus.filter((sku) => !m.products[sku]).map((sku) => `sku ${sku} has no Tryton product: add "products"."${sku}" to ${file}`), 'skus without a mapping'));

  try {
    await md.companyInfo();
  } catch (err) {
    // Unreachable, login refused, no company: nothing else can be checked.
    const why = err instanceof TrytonRpcError || err instanceof MissingMasterData ? err.message : String(err);
    return [...problems, `Tryton: ${why}`];
  }
  const attempt = async (key: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof MissingMasterData) problems.push(`${file}: ${key}${err.message}`);
      else if (err instanceof TrytonRpcError) problems.push(`Tryton: ${err.message}`);
      else throw err;
    }
  };
  await attempt('"customer": ', () => md.customer(m.customer ?? customerDefault));
  for (const [storeId, s] of Object.entries(m.stores)) {
    await attempt(`"stores"."${storeId}".warehouse: `, () => md.warehouse(s.warehouse));
    await attempt(`"stores"."${storeId}".location: `, () => md.location(s.location));
  }
  // One search for every product code; the error names each sku whose code Tryton lacks.
  const codes = new Map(Object.entries(m.products));
  if (codes.size > 0) {
    await attempt('', async () => {
      try {
        await md.productsByCode(codes);
      } catch (e) {
        if (!(e instanceof MissingMasterData)) throw e;
        for (const part of e.message.split('; ')) problems.push(`${file}: "products": ${part}`);
      }
    });
  }
  return problems;
}
