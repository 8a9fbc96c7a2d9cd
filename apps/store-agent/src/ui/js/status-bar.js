// The status bar on every screen: online or offline, events waiting, last sync, and a bar while a backlog drains.
import { byId } from './dom.js';
import { NO_BACKLOG, nextProgress, sinceText } from './sync-progress.js';

export function statusBar() {
  const online = byId('sb-online');
  const pending = byId('sb-pending');
  const lastSync = byId('sb-lastsync');
  const box = byId('sb-progress');
  const bar = byId('sb-progress-bar');
  const barText = byId('sb-progress-text');
  const caught = byId('sb-caughtup');
  const problem = byId('sb-problem');
  const clock = byId('sb-clock');
  const seed = byId('sb-seed');
  let progress = NO_BACKLOG;

  /** @param {string} state @param {string} text */
  const badge = (state, text) => {
    online.dataset.state = state;
    online.textContent = text;
  };

  return {
    /** @param {{ storeId: string, deviceName: string }} device */
    identify(device) {
      byId('sb-store').textContent = device.storeId;
      byId('sb-device').textContent = device.deviceName;
    },
    /** True while a backlog is going out: the page then polls faster. */
    get draining() {
      return progress.draining;
    },
    /** @param {import('./api.js').ApiResult} r  the answer of GET /api/v1/status */
    update(r) {
      if (!r.ok) {
        const notEnrolled = r.error?.code === 'not_enrolled';
        badge(notEnrolled ? 'unknown' : 'down', notEnrolled ? 'Not set up' : r.status === 0 ? 'Agent not answering' : 'Agent starting');
        problem.hidden = notEnrolled;
        problem.textContent = notEnrolled ? '' : (r.error?.message ?? '');
        // Before enrolment there is nothing to send: counts would only confuse.
        pending.hidden = notEnrolled;
        lastSync.hidden = notEnrolled;
        return;
      }
      const s = r.body;
      pending.hidden = false;
      lastSync.hidden = false;
      badge(s.online ? 'online' : 'offline', s.online ? 'Online' : 'Offline');
      pending.dataset.count = String(s.pendingUp);
      /** @type {HTMLElement} */ (pending.querySelector('.n')).textContent = String(s.pendingUp);
      lastSync.textContent = `Last sync: ${sinceText(s.lastSyncAt, Date.now())}`;
      lastSync.title = s.lastSyncAt ?? 'never';
      progress = nextProgress(progress, s);
      box.hidden = !progress.draining;
      bar.max = Math.max(1, progress.peak);
      bar.value = progress.sent;
      barText.textContent = progress.draining ? `${progress.sent} of ${progress.peak} sent${s.online ? '' : ' (paused while offline)'}` : '';
      caught.hidden = progress.caughtUp === null;
      caught.textContent = progress.caughtUp === null ? '' : `Caught up: ${progress.caughtUp} sent`;
      // Offline is normal (sales keep working); only say more when the agent has a reason to share. A problem
      // while online (a full disk: sales are NOT being saved) is shown as it is.
      problem.hidden = !s.lastError;
      problem.textContent = !s.lastError ? '' : s.online ? `Problem: ${s.lastError}` : `Not syncing: ${s.lastError}. Sales are kept on this PC and sent later.`;
      // A wrong PC clock is corrected (sales are dated by head office's clock) but should be fixed by IT.
      clock.hidden = !s.clockCorrected;
      clock.textContent = s.clockCorrected ? clockWarning(s.clockSkewMs ?? 0) : '';
      // A new or re-seeded till: the store's picture arrives at its first connection (an older agent has no seed).
      seed.hidden = !s.seed?.wanted;
    },
  };
}

/** @param {number} skewMs this PC's clock minus head office's */
export function clockWarning(skewMs) {
  const abs = Math.abs(skewMs);
  const amount = abs >= 3_600_000 ? `${Math.round(abs / 360_000) / 10} h` : `${Math.max(1, Math.round(abs / 60_000))} min`;
  return `This PC's clock is ${amount} ${skewMs > 0 ? 'ahead of' : 'behind'} head office: sales are dated by head office's clock. Ask IT to set the clock right.`;
}
