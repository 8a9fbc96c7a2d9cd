/**
 * The month an event belongs to for partitioning: the UTC month of the timestamp inside its UUIDv7 event id
 * (the agent mints the id from the capture time, so it is the month the sale was rung up), or 1970-01 for an
 * id that is not a UUIDv7. A function of the event id ALONE, so a resent event always lands in the partition that
 * holds its first copy, and a unique key that includes it is exactly as strict as one without it.
 * The same function exists in SQL (outpost_event_month, migration event_partitions); a pg test keeps the two equal.
 */
export const NO_TIMESTAMP_MONTH = '1970-01-01';

export function eventMonth(eventId: string): string {
  const hex = eventId.replaceAll('-', '').toLowerCase();
  if (hex.length !== 32 || hex[12] !== '7') return NO_TIMESTAMP_MONTH;
  const ms = Number.parseInt(hex.slice(0, 12), 16);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return NO_TIMESTAMP_MONTH;
  return monthStart(d);
}

/** 'YYYY-MM-01' of the UTC month holding `d`. */
export function monthStart(d: Date): string {
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/** The month `n` months after (or before, n < 0) the month starting at `month` ('YYYY-MM-01'). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return monthStart(new Date(Date.UTC(y, m - 1 + n, 1)));
}

/** The distinct months of a list of event ids (for `event_month = ANY(...)`, so a look-up by id is pruned). */
export function eventMonths(eventIds: readonly string[]): string[] {
  return [...new Set(eventIds.map(eventMonth))];
}
