// The offline budget in business terms on the status bar: how long the store has been cut off from head office,
// how long the oldest sale (or return, count…) not yet at head office has waited, and how many of each kind.

/**
 * @typedef {{ oldestAt: string | null, sales: number, returns: number, counts: number, other: number }} Unsent
 */

/** "40 s", "12 min", "3 h", "2 days" @param {number} ms */
export function durationText(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  const d = Math.floor(s / 86_400);
  return `${d} day${d === 1 ? '' : 's'}`;
}

/** "38 sales, 2 returns, 1 count, 3 other" (kinds with none left out) @param {Unsent} u */
export function kindsText(u) {
  /** @type {[number, string, string][]} */
  const kinds = [
    [u.sales, 'sale', 'sales'],
    [u.returns, 'return', 'returns'],
    [u.counts, 'count', 'counts'],
    [u.other, 'other', 'other'],
  ];
  return kinds
    .filter(([n]) => n > 0)
    .map(([n, one, many]) => `${n} ${n === 1 ? one : many}`)
    .join(', ');
}

/** @param {Unsent} u */
export function unsentTotal(u) {
  return u.sales + u.returns + u.counts + u.other;
}

/**
 * The status bar's line, or '' when there is nothing to say (online and nothing old waiting):
 * "Offline for 3 h · 3 h unsent, oldest 11:02: 38 sales, 2 returns, 1 count".
 * @param {{ online: boolean, offlineSince: string | null, unsent: Unsent, lastError?: string | null }} s
 * @param {number} nowMs
 * @param {(d: Date) => string} clock  a capture time as the associate reads it (local hours and minutes)
 */
export function budgetText(s, nowMs, clock) {
  const total = unsentTotal(s.unsent);
  const oldest = s.unsent.oldestAt ? Date.parse(s.unsent.oldestAt) : NaN;
  // Online, a fresh backlog is the progress bar's business; one that has waited a minute, or that a problem holds
  // back, is worth naming.
  if (s.online && (total === 0 || Number.isNaN(oldest) || (nowMs - oldest < 60_000 && !s.lastError))) return '';
  const parts = [];
  if (!s.online) parts.push(s.offlineSince ? `Offline for ${durationText(nowMs - Date.parse(s.offlineSince))}` : 'Offline');
  if (total > 0 && !Number.isNaN(oldest)) parts.push(`${durationText(nowMs - oldest)} unsent, oldest ${clock(new Date(oldest))}: ${kindsText(s.unsent)}`);
  else if (!s.online) parts.push('nothing waiting');
  return parts.join(' · ');
}

/** "11:02" today, "28 Nov 11:02" on an earlier day, in the PC's own time zone. @param {Date} d */
export function localClock(d) {
  const hm = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
  return d.toDateString() === new Date().toDateString() ? hm : `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${hm}`;
}
