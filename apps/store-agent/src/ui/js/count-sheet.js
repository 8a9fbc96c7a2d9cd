// A cycle count sheet: skus and counted quantities, in the order first counted.

/** @typedef {{ sku: string, countedQty: number }} CountLine */

/**
 * Counting an sku again adds to it (each scan of an item counts one more).
 * @param {CountLine[]} lines
 * @param {string} sku
 * @param {number} qty
 * @returns {CountLine[]}
 */
export function addCount(lines, sku, qty) {
  const i = lines.findIndex((l) => l.sku === sku);
  if (i < 0) return [...lines, { sku, countedQty: qty }];
  return lines.map((l, j) => (j === i ? { ...l, countedQty: l.countedQty + qty } : l));
}

/**
 * Overwrites a counted quantity (0 is a valid count: the shelf is empty).
 * @param {CountLine[]} lines
 * @param {string} sku
 * @param {number} qty
 * @returns {CountLine[]}
 */
export function setCount(lines, sku, qty) {
  if (!Number.isInteger(qty) || qty < 0) return lines;
  return lines.map((l) => (l.sku === sku ? { ...l, countedQty: qty } : l));
}

/**
 * @param {CountLine[]} lines
 * @param {string} sku
 * @returns {CountLine[]}
 */
export function removeCount(lines, sku) {
  return lines.filter((l) => l.sku !== sku);
}

/**
 * The review before submitting: each line against what this till's stock picture expects, so a big difference
 * gets a second look before it goes to head office.
 * @param {CountLine[]} lines
 * @param {Map<string, number>} onHandBySku
 * @returns {{ sku: string, countedQty: number, expected: number | null, difference: number | null }[]}
 */
export function reviewRows(lines, onHandBySku) {
  return lines.map((l) => {
    const expected = onHandBySku.has(l.sku) ? /** @type {number} */ (onHandBySku.get(l.sku)) : null;
    return { sku: l.sku, countedQty: l.countedQty, expected, difference: expected === null ? null : l.countedQty - expected };
  });
}

/**
 * A difference big enough to ask "did you really count that?" before it goes to head office: 10 units or more,
 * or 5 or more when that is over half of what the till expects (a miscount, a missed shelf, a typo like 40 for 4).
 * @param {{ expected: number | null, difference: number | null }} row
 */
export function isLargeVariance(row) {
  if (row.difference === null || row.expected === null) return false;
  const d = Math.abs(row.difference);
  return d >= 10 || (d >= 5 && d > Math.abs(row.expected) / 2);
}
