// Tryton's JSON-RPC carries non-JSON types as {"__class__": ...} objects. Money crosses as decimal strings made
// from integer minor units by string arithmetic, never through a float.

export interface TrytonDecimal {
  __class__: 'Decimal';
  decimal: string;
}

export interface TrytonDate {
  __class__: 'date';
  year: number;
  month: number;
  day: number;
}

/** Integer minor units → Tryton Decimal with `digits` places: (1990, 2) → "19.90", (-5, 2) → "-0.05". */
export function decimalFromMinor(minor: number, digits: number): TrytonDecimal {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`money must be integer minor units, got ${minor}`);
  if (!Number.isInteger(digits) || digits < 0 || digits > 8) throw new RangeError(`bad currency digits ${digits}`);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor));
  if (digits === 0) return { __class__: 'Decimal', decimal: `${sign}${abs}` };
  const padded = abs.padStart(digits + 1, '0');
  const decimal = `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
  return { __class__: 'Decimal', decimal };
}

/** A Tryton Decimal (or a decimal string) → integer minor units; throws when it has more places than `digits`. */
export function minorFromDecimal(value: TrytonDecimal | string, digits: number): number {
  const text = typeof value === 'string' ? value : value.decimal;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a decimal: ${text}`);
  const [, sign = '', whole = '0', fraction = ''] = m;
  const frac = fraction.replace(/0+$/, '');
  if (frac.length > digits) throw new RangeError(`${text} has more than ${digits} decimal places`);
  const minor = Number(`${whole}${frac.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${text} overflows`);
  return sign === '-' ? -minor : minor;
}

export function isTrytonDecimal(v: unknown): v is TrytonDecimal {
  return typeof v === 'object' && v !== null && (v as { __class__?: unknown }).__class__ === 'Decimal';
}

/** "2026-11-24" → {"__class__":"date","year":2026,"month":11,"day":24}. */
export function trytonDate(isoDate: string): TrytonDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${isoDate}`);
  return { __class__: 'date', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/**
 * A line total spread over `qty` units as unit prices exact in minor units: one price when it divides evenly,
 * otherwise two (the remainder spread one minor unit each over the first units), so the lines still sum to
 * the total. A refund of 1000 for 3 → [{qty:1, unit:334}, {qty:2, unit:333}].
 */
export function splitTotal(total: number, qty: number): { qty: number; unit: number }[] {
  if (!Number.isSafeInteger(total) || !Number.isInteger(qty) || qty <= 0) {
    throw new RangeError(`cannot split ${total} over ${qty}`);
  }
  const sign = total < 0 ? -1 : 1;
  const abs = Math.abs(total);
  const base = Math.floor(abs / qty);
  const rest = abs - base * qty;
  if (rest === 0) return [{ qty, unit: sign * base }];
  return [
    { qty: rest, unit: sign * (base + 1) },
    { qty: qty - rest, unit: sign * base },
  ].filter((l) => l.qty > 0);
}
