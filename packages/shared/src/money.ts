import { z } from 'zod';
import { MAX_MINOR_UNITS } from './bounds.js';

/** ISO 4217 alphabetic code. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code such as EUR');
/** Money is always integer minor units (cents); floats never carry money. */
export const minorUnitsSchema = z
  .number()
  .int('money must be integer minor units')
  .safe()
  .refine((n) => Math.abs(n) <= MAX_MINOR_UNITS, `money must be between -${MAX_MINOR_UNITS} and ${MAX_MINOR_UNITS} minor units`);

export interface Money {
  amount: number;
  currency: string;
}

export function sumMinor(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  if (!Number.isSafeInteger(total)) throw new RangeError('money total overflows safe integer range');
  return total;
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new Error(`cannot add ${a.currency} and ${b.currency}`);
  return { amount: sumMinor([a.amount, b.amount]), currency: a.currency };
}

/** Minor-unit exponent of the common currencies; 2 for the rest. */
const EXPONENT: Record<string, number> = { JPY: 0, KRW: 0, ISK: 0, CLP: 0, BHD: 3, KWD: 3, JOD: 3, TND: 3 };

export function formatMoney(m: Money): string {
  const exp = EXPONENT[m.currency] ?? 2;
  const sign = m.amount < 0 ? '-' : '';
  const abs = Math.abs(m.amount);
  if (exp === 0) return `${sign}${abs} ${m.currency}`;
  const unit = 10 ** exp;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(exp, '0')} ${m.currency}`;
}
