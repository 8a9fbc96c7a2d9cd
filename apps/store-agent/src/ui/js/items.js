// Item master look-up (GET /api/v1/items?sku=): what a scanned code is and what it costs.
import { call } from './api.js';

/**
 * @param {string} sku
 * @returns {Promise<{ item: { sku: string, name: string, price: number, currency: string } | null, error: string | null }>}
 */
export async function lookUp(sku) {
  const r = await call('GET', `/api/v1/items?sku=${encodeURIComponent(sku)}`);
  if (!r.ok) return { item: null, error: r.error?.message ?? 'look-up failed' };
  return { item: r.body?.items?.[0] ?? null, error: null };
}

/**
 * Names of skus for display (pick lists), looked up once per page: names change rarely and a missing one only
 * shows the sku alone.
 */
export function nameCache() {
  /** @type {Map<string, string | null>} */
  const names = new Map();
  return {
    /** @param {string[]} skus */
    async load(skus) {
      for (const sku of new Set(skus)) {
        if (names.has(sku)) continue;
        const r = await lookUp(sku);
        if (!r.error) names.set(sku, r.item?.name ?? null);
      }
    },
    /** @param {string} sku */
    get: (sku) => names.get(sku) ?? null,
  };
}
