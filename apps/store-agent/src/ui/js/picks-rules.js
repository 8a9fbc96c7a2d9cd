// Picking a reservation: what the associate has picked per line, and what confirming it will mean.

/**
 * @typedef {{ sku: string, qty: number, pickedQty: number | null }} PickLine
 * @typedef {{ reservationId: string, orderId: string, status: string, lines: PickLine[], createdAt: string, expiresAt: string | null }} Pick
 */

/** Statuses of the picks screen's two lists (the README words). */
export const TO_PICK = ['delivered'];
export const WAITING_FOR_CUSTOMER = ['picked', 'short_picked'];

/**
 * Splits the open picks into "to pick" and "waiting for the customer", oldest first in each.
 * @param {Pick[]} picks
 */
export function groupPicks(picks) {
  const byAge = [...picks].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return {
    toPick: byAge.filter((p) => TO_PICK.includes(p.status)),
    waiting: byAge.filter((p) => WAITING_FOR_CUSTOMER.includes(p.status)),
  };
}

/**
 * Starting quantities of the pick form: nothing picked. Each line counts up as its items are scanned (or typed),
 * so "Confirm picked" means the items were in hand, not that the order was read.
 * @param {Pick} pick
 * @returns {number[]}
 */
export function initialPicked(pick) {
  return pick.lines.map(() => 0);
}

/**
 * A scanned item counts one more of its line.
 * @param {Pick} pick
 * @param {number[]} picked
 * @param {string} sku
 * @returns {{ picked: number[], error: string | null }}
 */
export function scanItem(pick, picked, sku) {
  const i = pick.lines.findIndex((l) => l.sku === sku);
  if (i < 0) return { picked, error: `${sku} is not on order ${pick.orderId}: put it back` };
  const line = pick.lines[i];
  const have = picked[i] ?? 0;
  if (line && have >= line.qty) return { picked, error: `${sku}: all ${line.qty} already picked` };
  return { picked: picked.map((n, j) => (j === i ? n + 1 : n)), error: null };
}

/**
 * What confirming these quantities will do: "picked" when every line is complete, "short_picked" otherwise;
 * an error for a quantity the API would refuse (not a whole number, below 0 or above what was ordered).
 * @param {Pick} pick
 * @param {number[]} picked
 */
export function pickOutcome(pick, picked) {
  /** @type {{ sku: string, missing: number }[]} */
  const short = [];
  for (let i = 0; i < pick.lines.length; i++) {
    const line = /** @type {PickLine} */ (pick.lines[i]);
    const n = picked[i];
    if (n === undefined || !Number.isInteger(n) || n < 0 || n > line.qty) {
      return { status: null, short, error: `${line.sku}: picked quantity must be a whole number from 0 to ${line.qty}` };
    }
    if (n < line.qty) short.push({ sku: line.sku, missing: line.qty - n });
  }
  return { status: short.length ? 'short_picked' : 'picked', short, error: null };
}

/**
 * The body of POST /picks/:id/confirm.
 * @param {Pick} pick
 * @param {number[]} picked
 */
export function confirmBody(pick, picked) {
  return { lines: pick.lines.map((l, i) => ({ sku: l.sku, pickedQty: picked[i] ?? 0 })) };
}
