import { compareHlcStrings } from './hlc-order.js';
import type { EventEnvelope } from './events.js';

/**
 * Inventory rules shared by central and the agent (docs/rules.md, R3 and R7's dispositions), as plain functions.
 * Stock lives in buckets: `sellable` is on-hand; damaged and quarantined returns are kept apart and never sold.
 */
export type Bucket = 'sellable' | 'damaged' | 'quarantine';

/** A change of stock of one sku at one moment (hlc). Counts are not movements: they set, not add. */
export interface Movement {
  hlc: string;
  /** The event (or central receipt) it came from: the idempotency key of the movement. */
  sourceId: string;
  sku: string;
  qty: number;
  bucket: Bucket;
}

export interface CountObservation {
  hlc: string;
  sourceId: string;
  sku: string;
  countedQty: number;
}

/**
 * The stock movements an event implies. A pick moves nothing (the goods stay in the store, held for the
 * customer); a handover (pickup v2) takes what it names out of sellable stock.
 */
export function movementsOf(ev: EventEnvelope): Movement[] {
  const at = { hlc: ev.hlc, sourceId: ev.eventId };
  switch (ev.type) {
    case 'sale.completed':
      return ev.payload.lines.map((l) => ({ ...at, sku: l.sku, qty: -l.qty, bucket: 'sellable' as const }));
    case 'return.received':
      return ev.payload.lines.map((l) => ({
        ...at,
        sku: l.sku,
        qty: l.qty,
        bucket: l.disposition === 'restock' ? ('sellable' as const) : l.disposition,
      }));
    case 'stock.adjusted':
      return ev.payload.lines.map((l) => ({ ...at, sku: l.sku, qty: l.qtyDelta, bucket: 'sellable' as const }));
    case 'pickup.completed':
      return (ev.payload.lines ?? []).map((l) => ({ ...at, sku: l.sku, qty: -l.qty, bucket: 'sellable' as const }));
    default:
      return [];
  }
}

/** The count observations an event carries (one per counted sku). */
export function countsOf(ev: EventEnvelope): CountObservation[] {
  if (ev.type !== 'count.submitted') return [];
  return ev.payload.lines.map((l) => ({ hlc: ev.hlc, sourceId: ev.eventId, sku: l.sku, countedQty: l.countedQty }));
}

export interface CountOutcome {
  count: CountObservation;
  /** On-hand the books expected at the count's hlc (everything before it, from the previous count on). */
  expected: number;
  variance: number;
  /** A later count replaced this one as the base of on-hand. */
  superseded: boolean;
}

export interface SkuStock {
  sku: string;
  onHand: number;
  damaged: number;
  quarantine: number;
  /** The count on-hand is based on (the one with the latest hlc), if any. */
  baseCount: CountObservation | null;
  counts: CountOutcome[];
}

/**
 * The reference model: replay one sku's movements and counts sequentially in hlc order. A count sets sellable
 * on-hand to the counted quantity; every movement after it adds on top. Whatever order facts arrive in, an
 * incremental implementation must end where this replay ends (the property tests check exactly that).
 * A movement and a count at the same hlc: the movement happened first (the count saw its effect).
 */
export function replaySku(sku: string, movements: readonly Movement[], counts: readonly CountObservation[]): SkuStock {
  type Fact = { kind: 'm'; m: Movement } | { kind: 'c'; c: CountObservation };
  const facts: Fact[] = [
    ...movements.filter((m) => m.sku === sku).map((m) => ({ kind: 'm' as const, m })),
    ...counts.filter((c) => c.sku === sku).map((c) => ({ kind: 'c' as const, c })),
  ];
  facts.sort((a, b) => {
    const ha = a.kind === 'm' ? a.m.hlc : a.c.hlc;
    const hb = b.kind === 'm' ? b.m.hlc : b.c.hlc;
    const byHlc = compareHlcStrings(ha, hb);
    if (byHlc !== 0) return byHlc;
    if (a.kind !== b.kind) return a.kind === 'm' ? -1 : 1;
    const ia = a.kind === 'm' ? a.m.sourceId : a.c.sourceId;
    const ib = b.kind === 'm' ? b.m.sourceId : b.c.sourceId;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  const out: SkuStock = { sku, onHand: 0, damaged: 0, quarantine: 0, baseCount: null, counts: [] };
  for (const f of facts) {
    if (f.kind === 'm') {
      if (f.m.bucket === 'sellable') out.onHand += f.m.qty;
      else if (f.m.bucket === 'damaged') out.damaged += f.m.qty;
      else out.quarantine += f.m.qty;
    } else {
      for (const prev of out.counts) prev.superseded = true;
      out.counts.push({ count: f.c, expected: out.onHand, variance: f.c.countedQty - out.onHand, superseded: false });
      out.onHand = f.c.countedQty;
      out.baseCount = f.c;
    }
  }
  return out;
}

/** available = on-hand − active reservations − safety stock (R4); never below zero. */
export function available(onHand: number, reserved: number, safetyStock = 0): number {
  return Math.max(0, onHand - reserved - safetyStock);
}
