import type { ErpDocument, ErpReturnLine, ErpSaleLine } from './connector.js';

// The ledger's chart and posting rules: a document becomes balanced double-entry lines and stock moves.
// Plain functions; the ledger connector writes what they answer.

export const ACCOUNTS = {
  revenue: 'sales_revenue',
  taxPayable: 'tax_payable',
  returns: 'sales_returns',
  /** Refunds paid out at the till: returns carry no tender, so they leave through this one. */
  refundTender: 'tender:refund',
  /** Tendered minus sold (change not recorded, rounding, a till error): kept visible instead of forced away. */
  overShort: 'cash_over_short',
  tender: (method: string) => `tender:${method}`,
} as const;

export interface JournalLine {
  account: string;
  debit: number;
  credit: number;
  memo?: string;
}

export interface StockMove {
  sku: string;
  qty: number;
  from: string;
  to: string;
}

export interface JournalEntry {
  description: string;
  currency: string | null;
  lines: JournalLine[];
  moves: StockMove[];
}

export const location = {
  store: (storeId: string, bucket: 'sellable' | 'damaged' | 'quarantine' = 'sellable') => `store:${storeId}/${bucket}`,
  customer: 'customer',
  adjustment: 'inventory_adjustment',
};

function saleLines(lines: readonly ErpSaleLine[], tenders: readonly { method: string; amount: number }[], memo: string): JournalLine[] {
  const gross = lines.reduce((s, l) => s + l.qty * l.unitPrice, 0);
  const tax = lines.reduce((s, l) => s + (l.taxAmount ?? 0), 0);
  const out: JournalLine[] = [];
  const byMethod = new Map<string, number>();
  for (const t of tenders) byMethod.set(t.method, (byMethod.get(t.method) ?? 0) + t.amount);
  for (const [method, amount] of byMethod) if (amount !== 0) out.push(side(ACCOUNTS.tender(method), amount, memo));
  if (gross - tax !== 0) out.push(side(ACCOUNTS.revenue, -(gross - tax), memo));
  if (tax !== 0) out.push(side(ACCOUNTS.taxPayable, -tax, memo));
  const tendered = [...byMethod.values()].reduce((s, a) => s + a, 0);
  if (tendered !== gross) out.push(side(ACCOUNTS.overShort, gross - tendered, `${memo}: tendered ${tendered}, sold ${gross}`));
  return out;
}

function returnLines(lines: readonly ErpReturnLine[], memo: string): JournalLine[] {
  const refunds = lines.reduce((s, l) => s + l.refundAmount, 0);
  if (refunds === 0) return [];
  return [side(ACCOUNTS.returns, refunds, memo), side(ACCOUNTS.refundTender, -refunds, memo)];
}

/** A positive amount is a debit, a negative one a credit. */
function side(account: string, amount: number, memo: string): JournalLine {
  return amount >= 0 ? { account, debit: amount, credit: 0, memo } : { account, debit: 0, credit: -amount, memo };
}

function saleMoves(storeId: string, lines: readonly ErpSaleLine[]): StockMove[] {
  return lines.map((l) => ({ sku: l.sku, qty: l.qty, from: location.store(storeId), to: location.customer }));
}

function returnMoves(storeId: string, lines: readonly ErpReturnLine[]): StockMove[] {
  return lines.map((l) => ({ sku: l.sku, qty: l.qty, from: location.customer, to: location.store(storeId, l.disposition === 'restock' ? 'sellable' : l.disposition) }));
}

/** The journal entry and stock moves of one document. */
export function journalOf(storeId: string, doc: ErpDocument): JournalEntry {
  switch (doc.kind) {
    case 'sale':
      return {
        description: `sale ${doc.transactionId} of ${storeId} on ${doc.businessDate}`,
        currency: doc.currency,
        lines: saleLines(doc.lines, doc.tenders, `sale ${doc.transactionId}`),
        moves: saleMoves(storeId, doc.lines),
      };
    case 'return':
      return {
        description: `return ${doc.returnId}${doc.originalTransactionId ? ` of sale ${doc.originalTransactionId}` : ''} at ${storeId} on ${doc.businessDate}`,
        currency: doc.currency,
        lines: returnLines(doc.lines, `return ${doc.returnId}`),
        moves: returnMoves(storeId, doc.lines),
      };
    case 'count':
      // A count moves no money (central keeps no cost price); its variance is a stock adjustment.
      return {
        description: `count ${doc.countId} at ${storeId} on ${doc.businessDate}`,
        currency: null,
        lines: [],
        moves: doc.lines
          .filter((l) => l.variance !== 0)
          .map((l) =>
            l.variance > 0
              ? { sku: l.sku, qty: l.variance, from: location.adjustment, to: location.store(storeId) }
              : { sku: l.sku, qty: -l.variance, from: location.store(storeId), to: location.adjustment },
          ),
      };
    case 'day_summary':
      return {
        description: `day summary of ${storeId} on ${doc.businessDate} (${doc.transactionIds.length} sales, ${doc.returnIds.length} returns)`,
        currency: doc.currency,
        lines: [...saleLines(doc.lines, doc.tenders, `day ${doc.businessDate}`), ...returnLines(doc.returns, `day ${doc.businessDate} returns`)],
        moves: [...saleMoves(storeId, doc.lines), ...returnMoves(storeId, doc.returns)],
      };
  }
}

/** Why an entry cannot be booked (unbalanced or negative amounts), or null when it can. */
export function journalProblem(e: JournalEntry): string | null {
  let debit = 0;
  let credit = 0;
  for (const l of e.lines) {
    if (l.debit < 0 || l.credit < 0 || !Number.isSafeInteger(l.debit) || !Number.isSafeInteger(l.credit)) return `line ${l.account} has an invalid amount`;
    debit += l.debit;
    credit += l.credit;
  }
  if (debit !== credit) return `journal does not balance: debit ${debit}, credit ${credit}`;
  for (const m of e.moves) if (!Number.isInteger(m.qty) || m.qty <= 0) return `stock move of ${m.sku} has quantity ${m.qty}`;
  return null;
}
