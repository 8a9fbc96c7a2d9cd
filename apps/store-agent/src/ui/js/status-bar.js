// The status bar on every screen: online or offline, events waiting, last sync, and a bar while a backlog drains.
import { byId } from './dom.js';
import { NO_BACKLOG, nextProgress, sinceText } from './sync-progress.js';
import { budgetText, localClock } from './offline-budget.js';

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
  const budget = byId('sb-budget');
  const disk = byId('sb-disk');
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
        budget.hidden = true;
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
      // What the store holds that head office does not, in business terms ("3 h unsent, oldest 11:02: 38 sales…").
      const said = budgetText(s, Date.now(), localClock);
      budget.hidden = said === '';
      budget.textContent = said;
      // Offline is normal (sales keep working); only say more when the agent has a reason to share. A problem
      // while online (a full disk: sales are NOT being saved) is shown as it is.
      problem.hidden = !s.lastError;
      problem.textContent = !s.lastError ? '' : s.online ? `Problem: ${s.lastError}` : `Not syncing: ${s.lastError}. Sales are kept on this PC and sent later.`;
      // A wrong PC clock is corrected (sales are dated by head office's clock) but should be fixed by IT.
      clock.hidden = !s.clockCorrected;
      clock.textContent = s.clockCorrected ? clockWarning(s.clockSkewMs ?? 0) : '';
      // Low disk is said long before capture fails, while there is still time to free space.
      disk.hidden = !s.diskLow;
      disk.textContent = s.diskLow ? diskWarning(s.diskFreeBytes ?? 0) : '';
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

/** @param {number} freeBytes free space left on this PC's data disk */
export function diskWarning(freeBytes) {
  const mib = Math.floor(freeBytes / 1048576);
  const amount = mib >= 1024 ? `${Math.round(mib / 102.4) / 10} GB` : `${mib} MB`;
  return `This PC's disk is nearly full (${amount} free). Sales are still saved, but ask IT to free space before it runs out.`;
}
