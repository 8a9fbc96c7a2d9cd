// Money in the associate UI: integer minor units in, text out (and back). Never floats for amounts kept.

/** Minor-unit exponent of the common currencies; 2 for the rest (as packages/shared/src/money.ts). */
const EXPONENT = { JPY: 0, KRW: 0, ISK: 0, CLP: 0, BHD: 3, KWD: 3, JOD: 3, TND: 3 };

/** @param {string} currency */
export function exponent(currency) {
  return EXPONENT[/** @type {keyof typeof EXPONENT} */ (currency)] ?? 2;
}

/**
 * "1,234.50 EUR"-style text of integer minor units, built from the digits (no float rounding), with the
 * currency's symbol when the browser knows one ("€1,234.50").
 * @param {number} minor
 * @param {string} currency
 */
export function formatMoney(minor, currency) {
  const exp = exponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = exp > 0 ? `.${digits.slice(digits.length - exp)}` : '';
  const symbol = currencySymbol(currency);
  return symbol ? `${sign}${symbol}${whole}${frac}` : `${sign}${whole}${frac} ${currency}`;
}

const SYMBOLS = { EUR: '€', GBP: '£', USD: '$', JPY: '¥', SEK: 'kr ', NOK: 'kr ', DKK: 'kr ', CHF: 'CHF ' };

/** @param {string} currency */
function currencySymbol(currency) {
  return SYMBOLS[/** @type {keyof typeof SYMBOLS} */ (currency)] ?? '';
}

/**
 * Typed amount to integer minor units: "4.50", "4,50", "4", "€ 1,234.50" (a comma is a decimal separator only
 * when it is followed by exactly the currency's fraction digits and no dot is present). Null when it is not an
 * amount, or has more fraction digits than the currency allows.
 * @param {string} text
 * @param {string} currency
 * @returns {number | null}
 */
export function parseMoney(text, currency) {
  const exp = exponent(currency);
  let t = String(text).replace(/[\s€£$¥]/g, '').replace(new RegExp(currency, 'i'), '');
  if (t === '') return null;
  if (!t.includes('.') && exp > 0 && new RegExp(`^\\d+,\\d{1,${exp}}$`).test(t)) t = t.replace(',', '.');
  else t = t.replace(/,(?=\d{3}(\D|$))/g, '');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > exp) return null;
  const n = Number(`${m[1]}${frac.padEnd(exp, '0')}`);
  return Number.isSafeInteger(n) ? n : null;
}
