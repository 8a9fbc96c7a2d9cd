import { AppError } from '../platform/index.js';

/** The longest span a day-based report covers in one request: a year, so one query stays bounded. */
export const MAX_REPORT_DAYS = 366;
const DEFAULT_REPORT_DAYS = 30;

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDay(d);
}

/**
 * The business days a report covers: `to` defaults to today (UTC), `from` to 30 days before `to`. Both inclusive.
 * A reversed or over-long span is the caller's mistake: a 400, not a silently clipped answer.
 */
export function reportDays(q: { from?: string | undefined; to?: string | undefined }, now: Date): { from: string; to: string } {
  const to = q.to ?? isoDay(now);
  const from = q.from ?? addDays(to, -(DEFAULT_REPORT_DAYS - 1));
  if (from > to) throw new AppError(400, 'validation_failed', `from (${from}) is after to (${to})`, { from, to });
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (span > MAX_REPORT_DAYS) {
    throw new AppError(400, 'validation_failed', `a report covers at most ${MAX_REPORT_DAYS} days; ${from}..${to} is ${span}`, { from, to, maxDays: MAX_REPORT_DAYS });
  }
  return { from, to };
}
