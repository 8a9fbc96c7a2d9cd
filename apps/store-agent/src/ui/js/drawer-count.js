// The drawer count at day close: what the associate typed per tender method, read against what the day's
// tenders say the drawer should hold. Plain functions; the screen (close-screen.js) only shows their answers.
import { formatMoney, parseMoney } from './money.js';

/** The same bound as the shared schema's money (packages/shared/src/bounds.ts MAX_MINOR_UNITS). */
const MAX_MINOR_UNITS = 1e15;

/**
 * Methods to count: cash always (a drawer can be counted on a day without cash sales), then every tendered method.
 * @param {{ method: string, amount: number }[]} tenders
 * @returns {{ method: string, expected: number }[]}
 */
export function countRows(tenders) {
  const expected = (/** @type {string} */ m) => tenders.filter((t) => t.method === m).reduce((s, t) => s + t.amount, 0);
  const methods = ['cash', ...tenders.map((t) => t.method).filter((m) => m !== 'cash')];
  return [...new Set(methods)].map((method) => ({ method, expected: expected(method) }));
}

/**
 * One typed count against its expected amount. Empty: not counted (the day may close uncounted).
 * @param {string} text
 * @param {number} expected
 * @param {string} currency
 * @returns {{ state: 'empty' } | { state: 'invalid', text: string } | { state: 'counted', amount: number, difference: number, text: string }}
 */
export function readCount(text, expected, currency) {
  if (String(text).trim() === '') return { state: 'empty' };
  const amount = parseMoney(text, currency);
  if (amount === null || amount > MAX_MINOR_UNITS) return { state: 'invalid', text: `"${text}" is not an amount in ${currency}` };
  const difference = amount - expected;
  const m = (/** @type {number} */ n) => formatMoney(n, currency);
  const say = difference === 0 ? 'matches the tenders' : `${difference < 0 ? 'short' : 'over'} by ${m(Math.abs(difference))}`;
  return { state: 'counted', amount, difference, text: `expected ${m(expected)}: ${say}` };
}

/**
 * The close's body from the typed counts: `countedCash` for every counted method, nothing when none was counted;
 * the first method whose text is not an amount stops the close.
 * @param {{ method: string, expected: number, text: string }[]} typed
 * @param {string} currency
 * @returns {{ ok: true, body: { countedCash: { method: string, amount: number }[] } | undefined } | { ok: false, method: string, text: string }}
 */
export function closeBody(typed, currency) {
  /** @type {{ method: string, amount: number }[]} */
  const countedCash = [];
  for (const t of typed) {
    const r = readCount(t.text, t.expected, currency);
    if (r.state === 'invalid') return { ok: false, method: t.method, text: r.text };
    if (r.state === 'counted') countedCash.push({ method: t.method, amount: r.amount });
  }
  return { ok: true, body: countedCash.length ? { countedCash } : undefined };
}
