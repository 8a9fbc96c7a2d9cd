// The lines of a sale or a return being rung up: plain data in, new data out (the screens re-render from it).

/**
 * @typedef {{ sku: string, name: string | null, qty: number, unitPrice: number }} CartLine
 */

/**
 * Adds a line; the same sku at the same price adds to that line's quantity (scanning an item twice is qty 2).
 * @param {CartLine[]} lines
 * @param {CartLine} line
 * @returns {CartLine[]}
 */
export function addLine(lines, line) {
  const i = lines.findIndex((l) => l.sku === line.sku && l.unitPrice === line.unitPrice);
  if (i < 0) return [...lines, { ...line }];
  return lines.map((l, j) => (j === i ? { ...l, qty: l.qty + line.qty } : l));
}

/**
 * Sets one line's quantity; 0 or less removes the line.
 * @param {CartLine[]} lines
 * @param {number} index
 * @param {number} qty
 * @returns {CartLine[]}
 */
export function setQty(lines, index, qty) {
  if (!Number.isInteger(qty)) return lines;
  if (qty <= 0) return lines.filter((_, j) => j !== index);
  return lines.map((l, j) => (j === index ? { ...l, qty } : l));
}

/** @param {CartLine} line */
export function lineTotal(line) {
  return line.qty * line.unitPrice;
}

/**
 * @param {CartLine[]} lines
 * @returns {number} integer minor units
 */
export function cartTotal(lines) {
  let total = 0;
  for (const l of lines) total += lineTotal(l);
  if (!Number.isSafeInteger(total)) throw new RangeError('total too large');
  return total;
}

/** @param {CartLine[]} lines */
export function itemCount(lines) {
  return lines.reduce((n, l) => n + l.qty, 0);
}

/**
 * Change to hand back for cash; null while the cash given does not cover the total.
 * @param {number} total
 * @param {number} given
 */
export function changeDue(total, given) {
  return given >= total ? given - total : null;
}

/**
 * A document id for the till: unique, readable on a receipt, and kept for the whole cart so that a retry after
 * a lost answer repeats the same id (the agent answers the first event, nothing is captured twice).
 * @param {string} prefix
 * @param {number} nowMs
 * @param {() => number} random
 */
export function documentId(prefix, nowMs, random = Math.random) {
  const rand = Math.floor(random() * 36 ** 4).toString(36).padStart(4, '0');
  return `${prefix}-${nowMs.toString(36).toUpperCase()}-${rand.toUpperCase()}`;
}
