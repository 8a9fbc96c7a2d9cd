// Enrolment: trade head office's one-time code for this till's identity, then wait for the agent to start.
import { call } from './api.js';
import { byId, say, whileBusy } from './dom.js';

/**
 * @param {{ onEnrolled: (device: any) => void }} o
 */
export function enrolScreen(o) {
  const form = /** @type {HTMLFormElement} */ (byId('enrol-form'));
  const msg = byId('enrol-msg');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const body = {
      central: String(f.get('central') ?? '').trim(),
      code: String(f.get('code') ?? '').trim(),
      deviceName: String(f.get('deviceName') ?? '').trim(),
      currency: String(f.get('currency') ?? '').trim().toUpperCase(),
    };
    say(msg, '', 'Enrolling with head office…');
    const r = await whileBusy(form.querySelector('button'), () => call('POST', '/api/v1/enroll', body));
    if (!r.ok) {
      say(msg, 'err', `Not enrolled: ${r.error?.message}`);
      return;
    }
    const device = r.body;
    say(msg, 'ok', `Enrolled for store ${device.storeId}. Starting the agent…`);
    // The agent switches from set-up to the full engine on the same address: wait until it answers as such.
    for (;;) {
      const s = await call('GET', '/api/v1/status');
      if (s.ok) break;
      if (s.error?.code === 'agent_failed') {
        say(msg, 'err', s.error.message);
        return;
      }
      await new Promise((res) => setTimeout(res, 300));
    }
    o.onEnrolled(device);
  });
  return {
    show() {
      byId('enrol').hidden = false;
      /** @type {HTMLInputElement} */ (form.elements.namedItem('central')).focus();
    },
    hide() {
      byId('enrol').hidden = true;
    },
  };
}
