// The fleet table: every store and device, live (refreshed every 2 s), enrolment of a new store (the one-time
// code is shown once, here), another code for an existing store, and revoking a device.
import { all, api } from '../api.js';
import { badge, clear, h, table, time } from '../dom.js';

export function fleetView(root) {
  const codeBox = h('div', { class: 'code-box', 'data-testid': 'enrollment-code', hidden: true });
  const formError = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'inline', 'data-testid': 'add-store' },
    h('h3', { text: 'Enrol a new store' }),
    h('label', {}, 'Store id ', h('input', { name: 'storeId', required: true, pattern: '[A-Za-z0-9._\\-]+', maxlength: 64 })),
    h('label', {}, 'Name ', h('input', { name: 'name', required: true, maxlength: 200 })),
    h('button', { type: 'submit', text: 'Create store and code' }),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError.textContent = '';
    const storeId = form.elements.storeId.value.trim();
    try {
      const r = await api('/stores', { method: 'POST', body: { storeId, name: form.elements.name.value.trim() } });
      form.reset();
      showCode(r.storeId, r.enrollmentCode);
      await refresh();
    } catch (err) {
      formError.textContent = err.message;
    }
  });

  function showCode(storeId, code) {
    clear(codeBox).append(
      h('p', {}, 'One-time enrolment code for ', h('strong', { text: storeId }), ' (shown once; it expires):'),
      h('code', { class: 'code', 'data-store-id': storeId, text: code }),
      h('p', { class: 'muted', text: `On the store PC: outpost-agent enroll --central ${location.origin} --code ${code}` }),
    );
    codeBox.hidden = false;
  }

  const tableHolder = h('div', { class: 'table-holder' });
  root.append(h('h2', { text: 'Fleet' }), tableHolder, h('div', { class: 'panel' }, form, formError, codeBox));

  async function newCode(storeId) {
    const r = await api(`/stores/${encodeURIComponent(storeId)}/enrollment-codes`, { method: 'POST' });
    showCode(storeId, r.enrollmentCode);
  }

  function revokeButton(device) {
    const b = h('button', { type: 'button', class: 'danger', 'data-action': 'revoke', text: 'Revoke' });
    b.addEventListener('click', async () => {
      // Two steps instead of a modal dialog: the first click arms, the second revokes.
      if (b.dataset.armed !== 'true') {
        b.dataset.armed = 'true';
        b.textContent = `Really revoke ${device.name}?`;
        return;
      }
      b.disabled = true;
      try {
        await api(`/devices/${device.deviceId}/revoke`, { method: 'POST' });
        await refresh();
      } catch (err) {
        b.textContent = `Failed: ${err.message}`;
      }
    });
    return b;
  }

  async function refresh() {
    const stores = await all('/stores');
    const rows = [];
    for (const st of stores) {
      const storeCell = () => h('td', {}, h('a', { href: `#/store/${encodeURIComponent(st.storeId)}`, text: st.storeId }), h('div', { class: 'muted', text: st.name }));
      const codeBtn = () => h('button', { type: 'button', 'data-action': 'new-code', text: 'New code', onclick: () => void newCode(st.storeId) });
      if (st.devices.length === 0) {
        rows.push(h('tr', { 'data-store-id': st.storeId }, storeCell(), h('td', { colspan: 8, class: 'muted', text: 'No device enrolled yet' }), h('td', {}, codeBtn())));
        continue;
      }
      for (const d of st.devices) {
        const revoked = d.revokedAt !== null;
        rows.push(
          h(
            'tr',
            { 'data-store-id': st.storeId, 'data-device-id': d.deviceId, 'data-online': String(d.online), 'data-revoked': String(revoked) },
            storeCell(),
            h('td', {}, d.name, h('div', { class: 'muted mono', title: d.deviceId, text: `…${d.deviceId.slice(-8)}` })),
            h('td', { 'data-col': 'online' }, revoked ? h('span', { class: 'badge bad', text: 'revoked' }) : badge(d.online, 'online', 'offline')),
            h('td', {}, time(d.lastSeenAt)),
            h('td', { text: d.agentVersion ?? '—' }),
            h('td', { class: 'num', 'data-col': 'pending-up', text: d.pendingUp ?? '—' }),
            h('td', { class: 'num', 'data-col': 'pending-commands', text: d.pendingCommands }),
            h('td', { 'data-col': 'clock-skew', class: clockOff(d.clockSkewMs) ? 'error-text' : '', text: skewText(d.clockSkewMs) }),
            h('td', { class: 'error-text', 'data-col': 'last-error', text: d.lastError ?? '' }),
            h('td', {}, codeBtn(), revoked ? null : revokeButton(d)),
          ),
        );
      }
    }
    // Replace the table only when nothing in it is armed or focused, so a refresh never eats a click.
    if (tableHolder.querySelector('[data-armed="true"]:not(:disabled)')) return;
    clear(tableHolder).append(
      table(['Store', 'Device', 'Online', 'Last seen', 'Agent version', 'Events waiting at store', 'Commands waiting at central', 'Clock', 'Last error', ''], rows, 'No store yet: enrol one below.'),
    );
  }

  return { refresh, every: 2000 };
}

/** Beyond this a till dates and stamps its captures by central's clock (the agent's default tolerance). */
const CLOCK_TOLERANCE_MS = 120_000;

/** @param {number | null | undefined} ms */
function clockOff(ms) {
  return typeof ms === 'number' && Math.abs(ms) > CLOCK_TOLERANCE_MS;
}

/** "ok", "22.0 h ahead", "5 min behind", or "—" when the agent has not reported its clock. @param {number | null | undefined} ms */
function skewText(ms) {
  if (typeof ms !== 'number') return '—';
  if (!clockOff(ms)) return 'ok';
  const abs = Math.abs(ms);
  const amount = abs >= 3_600_000 ? `${(abs / 3_600_000).toFixed(1)} h` : `${Math.round(abs / 60_000)} min`;
  return `${amount} ${ms > 0 ? 'ahead' : 'behind'}`;
}
