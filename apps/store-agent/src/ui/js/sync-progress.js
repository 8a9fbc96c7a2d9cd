// The status bar's sync picture: how much of a backlog has gone, and how long ago the last sync was.

/**
 * @typedef {{ peak: number, pending: number, sent: number, draining: boolean, caughtUp: number | null }} Progress
 */

/** @type {Progress} */
export const NO_BACKLOG = { peak: 0, pending: 0, sent: 0, draining: false, caughtUp: null };

/**
 * Next progress from the previous one and a fresh /status. The backlog's size is the highest waiting count seen
 * since it was last empty; once some of it has been sent the bar shows sent of size (also while offline, as
 * "paused"); when it empties while online the bar reports how many went ("caught up").
 * @param {Progress} prev
 * @param {{ online: boolean, pendingUp: number }} status
 * @returns {Progress}
 */
export function nextProgress(prev, status) {
  const pending = Math.max(0, status.pendingUp);
  if (pending === 0) {
    const caughtUp = prev.peak > 0 ? prev.peak : prev.caughtUp;
    return { peak: 0, pending: 0, sent: 0, draining: false, caughtUp: status.online ? caughtUp : null };
  }
  const peak = Math.max(prev.peak, pending);
  return { peak, pending, sent: peak - pending, draining: pending < peak, caughtUp: null };
}

/**
 * "just now", "4 min ago", "2 h ago", "3 days ago" for the last successful sync; "never" without one.
 * @param {string | null} iso
 * @param {number} nowMs
 */
export function sinceText(iso, nowMs) {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const s = Math.max(0, Math.round((nowMs - t) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const d = Math.floor(s / 86_400);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}
