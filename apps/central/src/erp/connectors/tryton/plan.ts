// What a posting becomes in Tryton, decided without talking to it: sales, returns and day summaries are one
// sale.sale each (returns as negative quantities), counts a stock.inventory. Plain functions over data.
import type { ErpPosting } from '../../connector.js';
import { splitTotal } from './encoding.js';
import { missingMappings, type TrytonMapping } from './mapping.js';

export interface SaleLinePlan {
  sku: string;
  /** Tryton product code; null for a refund line that moves no stock (a damaged or quarantined return). */
  productCode: string | null;
  /** Signed: negative for returned goods. */
  qty: number;
  unitPrice: number;
  description: string;
}

export type TrytonPlan =
  | {
      model: 'sale.sale';
      reference: string;
      warehouseCode: string;
      saleDate: string;
      currency: string;
      description: string;
      comment: string;
      lines: SaleLinePlan[];
    }
  | {
      model: 'stock.inventory';
      reference: string;
      locationCode: string;
      date: string;
      lines: { sku: string; productCode: string; qty: number }[];
    };

export type PlanResult = { ok: true; plan: TrytonPlan } | { ok: false; missing: string[] };

function skusOf(p: ErpPosting): string[] {
  const d = p.document;
  switch (d.kind) {
    case 'sale':
    case 'count':
      return d.lines.map((l) => l.sku);
    case 'return':
      return d.lines.map((l) => l.sku);
    case 'day_summary':
      return [...d.lines.map((l) => l.sku), ...d.returns.map((l) => l.sku)];
  }
}

function returnLines(
  lines: { sku: string; qty: number; refundAmount: number; reasonCode: string; disposition: string }[],
  products: Record<string, string>,
): SaleLinePlan[] {
  const out: SaleLinePlan[] = [];
  for (const l of lines) {
    // Restocked goods come back into the store's location; damaged or quarantined goods are refunded but are
    // not sellable stock (DESIGN R7), so their line carries the money and no product, hence no stock move.
    const restock = l.disposition === 'restock';
    for (const part of splitTotal(l.refundAmount, l.qty)) {
      out.push({
        sku: l.sku,
        productCode: restock ? (products[l.sku] ?? null) : null,
        qty: -part.qty,
        unitPrice: part.unit,
        description: `Return ${l.sku} (${l.reasonCode}, ${l.disposition})`,
      });
    }
  }
  return out;
}

/** The Tryton document for a posting, or the list of mappings it lacks. */
export function planPosting(p: ErpPosting, mapping: TrytonMapping): PlanResult {
  const missing = missingMappings(mapping, p.storeId, skusOf(p));
  const store = mapping.stores[p.storeId];
  if (missing.length > 0 || !store) return { ok: false, missing };
  const product = (sku: string): string => mapping.products[sku] as string; // checked by missingMappings
  const d = p.document;
  const base = { reference: p.postingId, warehouseCode: store.warehouse, comment: `Outpost posting ${p.postingId}; correlation ${p.correlationId}` };
  switch (d.kind) {
    case 'sale':
      return {
        ok: true,
        plan: {
          model: 'sale.sale',
          ...base,
          saleDate: d.businessDate,
          currency: d.currency,
          description: `POS sale ${d.transactionId} (${p.storeId})`,
          lines: d.lines.map((l) => ({ sku: l.sku, productCode: product(l.sku), qty: l.qty, unitPrice: l.unitPrice, description: l.sku })),
        },
      };
    case 'return':
      return {
        ok: true,
        plan: {
          model: 'sale.sale',
          ...base,
          saleDate: d.businessDate,
          currency: d.currency,
          description: `POS return ${d.returnId}${d.originalTransactionId ? ` of ${d.originalTransactionId}` : ''} (${p.storeId})`,
          lines: returnLines(d.lines, mapping.products),
        },
      };
    case 'day_summary':
      return {
        ok: true,
        plan: {
          model: 'sale.sale',
          ...base,
          saleDate: d.businessDate,
          currency: d.currency,
          description: `POS day ${d.businessDate} (${p.storeId}): ${d.transactionIds.length} sales, ${d.returnIds.length} returns`,
          lines: [
            ...d.lines.map((l) => ({ sku: l.sku, productCode: product(l.sku), qty: l.qty, unitPrice: l.unitPrice, description: l.sku })),
            ...returnLines(d.returns, mapping.products),
          ],
        },
      };
    case 'count': {
      // One line per product: a sku counted in several places adds up.
      const qty = new Map<string, number>();
      for (const l of d.lines) qty.set(l.sku, (qty.get(l.sku) ?? 0) + l.countedQty);
      return {
        ok: true,
        plan: {
          model: 'stock.inventory',
          reference: p.postingId,
          locationCode: store.location,
          date: d.businessDate,
          lines: [...qty].map(([sku, n]) => ({ sku, productCode: product(sku), qty: n })),
        },
      };
    }
  }
}
