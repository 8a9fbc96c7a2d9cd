// Reservation rules (docs/rules.md R4, R5) as plain functions over data, shared by central and the agent.

export const RESERVATION_STATUSES = ['requested', 'delivered', 'picked', 'short_picked', 'collected', 'cancelled', 'expired', 'at_risk'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** States in which a reservation still holds stock and can be cancelled, expired, picked or collected. */
export const OPEN_STATUSES: readonly ReservationStatus[] = ['requested', 'delivered', 'at_risk', 'picked', 'short_picked'];
export const isOpen = (s: ReservationStatus): boolean => OPEN_STATUSES.includes(s);
/** Open and not picked yet: the units are still on the shelf (what an oversell can take away). */
export const isUnpicked = (s: ReservationStatus): boolean => s === 'requested' || s === 'delivered' || s === 'at_risk';

export interface ReservationLine {
  sku: string;
  qty: number;
  /** Null until the store confirmed its pick. */
  pickedQty: number | null;
}

const NEXT: Record<ReservationStatus, readonly ReservationStatus[]> = {
  requested: ['delivered', 'picked', 'short_picked', 'at_risk', 'cancelled', 'expired'],
  delivered: ['picked', 'short_picked', 'at_risk', 'cancelled', 'expired'],
  at_risk: ['picked', 'short_picked', 'cancelled', 'expired'],
  picked: ['collected', 'cancelled', 'expired'],
  short_picked: ['collected', 'cancelled', 'expired'],
  collected: [],
  cancelled: [],
  expired: [],
};

export function canTransition(from: ReservationStatus, to: ReservationStatus): boolean {
  return NEXT[from].includes(to);
}

/** How far along its life a reservation is: picked after delivered, and every closed state last. */
const STAGE: Record<ReservationStatus, number> = {
  requested: 0,
  delivered: 1,
  at_risk: 1,
  picked: 2,
  short_picked: 2,
  collected: 3,
  cancelled: 3,
  expired: 3,
};

/**
 * Whether central's word on a reservation (reservation.updated) moves a store's copy forward. Only a later stage
 * is taken: a till that picked or handed over itself keeps its own record, and a closed reservation stays closed
 * (a restored till may be told "picked" after it already handed over again offline).
 */
export function advancesTo(local: ReservationStatus, central: ReservationStatus): boolean {
  return STAGE[central] > STAGE[local];
}

/**
 * Units a reservation holds out of available stock (R4: available = on-hand − active reservations − safety).
 * Before the pick it holds what was asked; after, what was actually picked (a short pick gives the rest back);
 * once collected the units have left on-hand through the pickup's own movement, and nothing is held.
 */
export function heldQty(status: ReservationStatus, line: ReservationLine): number {
  if (isUnpicked(status)) return line.qty;
  if (status === 'picked' || status === 'short_picked') return line.pickedQty ?? line.qty;
  return 0;
}

/** Held units per sku. */
export function heldBySku(status: ReservationStatus, lines: readonly ReservationLine[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) out.set(l.sku, (out.get(l.sku) ?? 0) + heldQty(status, l));
  return out;
}

/** What a change of status (and lines) does to the reserved quantity per sku; zero deltas are left out. */
export function heldDelta(
  before: { status: ReservationStatus; lines: readonly ReservationLine[] } | null,
  after: { status: ReservationStatus; lines: readonly ReservationLine[] },
): Map<string, number> {
  const b = before ? heldBySku(before.status, before.lines) : new Map<string, number>();
  const a = heldBySku(after.status, after.lines);
  const out = new Map<string, number>();
  for (const sku of new Set([...b.keys(), ...a.keys()])) {
    const d = (a.get(sku) ?? 0) - (b.get(sku) ?? 0);
    if (d !== 0) out.set(sku, d);
  }
  return out;
}

export type PickResult =
  | { ok: true; status: 'picked' | 'short_picked'; lines: ReservationLine[] }
  | { ok: false; error: string };

/**
 * The outcome of a pick: each reserved line with the quantity the store found. A line the store did not mention
 * was not found (0). Picking more than reserved, or an sku the reservation does not hold, is refused.
 */
export function pickOutcome(reserved: readonly { sku: string; qty: number }[], picked: readonly { sku: string; pickedQty: number }[]): PickResult {
  const bySku = new Map<string, number>();
  for (const p of picked) {
    if (bySku.has(p.sku)) return { ok: false, error: `sku ${p.sku} appears twice in the pick` };
    if (!Number.isInteger(p.pickedQty) || p.pickedQty < 0) return { ok: false, error: `pickedQty of ${p.sku} must be a whole number of at least 0` };
    bySku.set(p.sku, p.pickedQty);
  }
  const reservedSkus = new Set(reserved.map((l) => l.sku));
  for (const sku of bySku.keys()) {
    if (!reservedSkus.has(sku)) return { ok: false, error: `sku ${sku} is not part of this reservation` };
  }
  const lines: ReservationLine[] = [];
  let short = false;
  for (const l of reserved) {
    const got = bySku.get(l.sku) ?? 0;
    if (got > l.qty) return { ok: false, error: `picked ${got} of ${l.sku} but only ${l.qty} are reserved` };
    if (got < l.qty) short = true;
    lines.push({ sku: l.sku, qty: l.qty, pickedQty: got });
  }
  return { ok: true, status: short ? 'short_picked' : 'picked', lines };
}

/** The lines a handover takes out of the store: what was picked (nothing when nothing was found). */
export function handedOverLines(lines: readonly ReservationLine[]): { sku: string; qty: number }[] {
  return lines.filter((l) => (l.pickedQty ?? 0) > 0).map((l) => ({ sku: l.sku, qty: l.pickedQty ?? 0 }));
}

/**
 * R4, which reservations an oversell puts at risk: the store is short by `shortage` units of one sku; the
 * newest unpicked reservations holding it are taken first (the oldest promises are the ones kept), until the
 * units they hold cover the shortage.
 */
export function oversoldVictims<T extends { reservationId: string; createdAt: string; qty: number }>(shortage: number, holding: readonly T[]): T[] {
  if (shortage <= 0) return [];
  const newestFirst = [...holding].sort((a, b) => (a.createdAt === b.createdAt ? (a.reservationId < b.reservationId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
  const out: T[] = [];
  let covered = 0;
  for (const r of newestFirst) {
    if (covered >= shortage) break;
    out.push(r);
    covered += r.qty;
  }
  return out;
}

/**
 * R4 reroute: the store to move a reservation to. Only a store that can serve every line in full qualifies;
 * of those, the one with the most to spare on its tightest line (least likely to be oversold next), then by id.
 */
export function chooseRerouteStore(
  lines: readonly { sku: string; qty: number }[],
  candidates: readonly { storeId: string; available: ReadonlyMap<string, number> }[],
): string | null {
  let best: { storeId: string; spare: number } | null = null;
  for (const c of candidates) {
    let spare = Number.POSITIVE_INFINITY;
    for (const l of lines) spare = Math.min(spare, (c.available.get(l.sku) ?? 0) - l.qty);
    if (spare < 0) continue;
    if (!best || spare > best.spare || (spare === best.spare && c.storeId < best.storeId)) best = { storeId: c.storeId, spare };
  }
  return best?.storeId ?? null;
}
