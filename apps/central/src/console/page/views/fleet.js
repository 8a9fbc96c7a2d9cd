// The fleet page: a summary of the whole fleet, then the fleet table, live (refreshed every 2 s) and searched,
// filtered, sorted (worst first) and paged by central, so it stays one screen with thousands of stores; enrolment
// of a new store (the one-time code is shown once, here), another code for an existing store, revoking a device.
import { api, can } from '../api.js';
import { badge, clear, h, table, time } from '../dom.js';

const PAGE_SIZE = 50;
const STATUS_LABEL = { error: 'needs attention', offline: 'offline', lagging: 'lagging', online: 'online' };

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

  const summary = h('div', { class: 'summary', 'data-testid': 'fleet-summary' });
  const tableHolder = h('div', { class: 'table-holder' });
  // What the operator asked for: kept across refreshes; a new search or filter starts again at the first page.
  const query = { q: '', status: '', sort: 'worst' };
  let cursors = [null]; // the `after` of each page seen so far; the last one is the current page
  let next = null;
  const search = h('input', { type: 'search', name: 'q', placeholder: 'Store id, name or device', 'data-testid': 'fleet-search', 'aria-label': 'Search stores' });
  const status = h(
    'select',
    { name: 'status', 'data-testid': 'fleet-status', 'aria-label': 'Show' },
    h('option', { value: '', text: 'All stores' }),
    ['error', 'offline', 'lagging', 'online'].map((v) => h('option', { value: v, text: STATUS_LABEL[v] })),
  );
  const sort = h(
    'select',
    { name: 'sort', 'data-testid': 'fleet-sort', 'aria-label': 'Sort by' },
    [['worst', 'Worst first'], ['atRisk', 'Longest unsent first'], ['store', 'Store id'], ['name', 'Name'], ['lastSeen', 'Last seen'], ['pending', 'Events waiting']].map(([v, t]) => h('option', { value: v, text: t })),
  );
  const prev = h('button', { type: 'button', 'data-testid': 'fleet-prev', text: '← Previous' });
  const nextBtn = h('button', { type: 'button', 'data-testid': 'fleet-next', text: 'Next →' });
  const pageInfo = h('span', { class: 'muted', 'data-testid': 'fleet-page' });
  let typing = null;
  const restart = () => {
    cursors = [null];
    void refresh();
  };
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      query.q = search.value.trim();
      restart();
    }, 250);
  });
  status.addEventListener('change', () => {
    query.status = status.value;
    restart();
  });
  sort.addEventListener('change', () => {
    query.sort = sort.value;
    restart();
  });
  prev.addEventListener('click', () => {
    if (cursors.length > 1) cursors.pop();
    void refresh();
  });
  nextBtn.addEventListener('click', () => {
    if (next) cursors.push(next);
    void refresh();
  });
  const controls = h('div', { class: 'controls' }, search, status, sort, prev, pageInfo, nextBtn);
  // A viewer sees the fleet only: enrolment, new codes and revoking are an operator's.
  root.append(h('h2', { text: 'Fleet' }), summary, controls, tableHolder, can('operate') ? h('div', { class: 'panel' }, form, formError, codeBox) : null);

  function card(label, value, testid, bad = false) {
    return h('div', { class: `card${bad ? ' bad' : ''}`, 'data-testid': testid }, h('div', { class: 'card-value', text: value }), h('div', { class: 'muted', text: label }));
  }

  async function refreshSummary() {
    const [sum, erp] = await Promise.all([api('/fleet/summary'), api('/erp/status').catch(() => null)]);
    const erpText = erp ? (erp.circuit.state === 'closed' ? 'posting' : `circuit ${erp.circuit.state}`) : 'unknown';
    clear(summary).append(
      card('stores', sum.stores, 'sum-stores'),
      card('online', sum.online, 'sum-online'),
      card('offline', sum.offline, 'sum-offline', sum.offline > 0),
      card('lagging', sum.lagging, 'sum-lagging', sum.lagging > 0),
      card('need attention', sum.error, 'sum-error', sum.error > 0),
      card('events waiting at stores', sum.pendingUp, 'sum-pending'),
      card('commands waiting at central', sum.commandsWaiting, 'sum-commands'),
      card('commands waiting for a till upgrade', sum.commandsHeld, 'sum-held', sum.commandsHeld > 0),
      versionsCard(sum.versions),
      card('ERP', erp ? `${erpText}, ${erp.postings.dead ?? 0} dead` : erpText, 'sum-erp', erp ? erp.circuit.state !== 'closed' || (erp.postings.dead ?? 0) > 0 : false),
      // The ERP configuration checked at start (mapping file, the ERP's stores and products): what will turn into
      // dead letters, on the first page, before it does; the list itself is with the dead letters.
      ...(erp?.config?.ok === false
        ? [
            h(
              'a',
              { class: 'card bad', href: '#/quarantine', 'data-testid': 'sum-erp-config' },
              h('div', { class: 'card-value', text: erp.config.problems.length }),
              h('div', { class: 'muted', text: 'ERP configuration problems (see the list)' }),
            ),
          ]
        : []),
    );
  }

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

  function rotateButton(device) {
    // One click: rotating is harmless (the device keeps working); it happens now if online, else at its next connection.
    const b = h('button', { type: 'button', 'data-action': 'rotate-token', title: 'Give the device a new token; the old one stops working', text: 'Rotate token' });
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await api(`/devices/${device.deviceId}/rotate`, { method: 'POST' });
        b.textContent = device.online ? 'Rotating…' : 'At next connection';
      } catch (err) {
        b.textContent = `Failed: ${err.message}`;
      }
    });
    return b;
  }

  async function refresh() {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), sort: query.sort });
    if (query.q) params.set('q', query.q);
    if (query.status) params.set('status', query.status);
    const after = cursors.at(-1);
    if (after) params.set('after', after);
    const [page] = await Promise.all([api(`/stores?${params}`), refreshSummary()]);
    next = page.next;
    prev.disabled = cursors.length <= 1;
    nextBtn.disabled = !next;
    pageInfo.textContent = `page ${cursors.length}`;
    const rows = [];
    for (const st of page.items) {
      const storeCell = () =>
        h(
          'td',
          {},
          h('a', { href: `#/store/${encodeURIComponent(st.storeId)}`, text: st.storeId }),
          h('div', { class: 'muted', text: st.name }),
          h('span', { class: `badge status-${st.status}`, 'data-col': 'status', text: STATUS_LABEL[st.status] }),
          st.alerts > 0 ? h('span', { class: 'badge bad', 'data-col': 'alerts', title: 'open alerts', text: `${st.alerts} alert${st.alerts === 1 ? '' : 's'}` }) : null,
        );
      const codeBtn = () => can('operate') && h('button', { type: 'button', 'data-action': 'new-code', text: 'New code', onclick: () => void newCode(st.storeId) });
      if (st.devices.length === 0) {
        rows.push(h('tr', { 'data-store-id': st.storeId, 'data-status': st.status }, storeCell(), h('td', { colspan: 9, class: 'muted', text: 'No device enrolled yet' }), h('td', {}, codeBtn())));
        continue;
      }
      for (const d of st.devices) {
        const revoked = d.revokedAt !== null;
        rows.push(
          h(
            'tr',
            { 'data-store-id': st.storeId, 'data-status': st.status, 'data-device-id': d.deviceId, 'data-online': String(d.online), 'data-revoked': String(revoked) },
            storeCell(),
            h('td', {}, d.name, h('div', { class: 'muted mono', title: d.deviceId, text: `…${d.deviceId.slice(-8)}` })),
            h('td', { 'data-col': 'online' }, revoked ? h('span', { class: 'badge bad', text: 'revoked' }) : badge(d.online, 'online', 'offline')),
            h('td', {}, time(d.lastSeenAt)),
            h(
              'td',
              { 'data-col': 'version' },
              h('span', { text: d.agentVersion ?? '—' }),
              d.protocolVersion === null ? null : h('span', { class: 'muted', text: ` · protocol v${d.protocolVersion}` }),
              d.heldCommand
                ? h('div', {
                    class: 'error-text',
                    'data-col': 'held-command',
                    title: 'This till cannot apply this command version; it and the commands after it wait at central until the till is upgraded',
                    text: `command ${d.heldCommand.seq} (${d.heldCommand.type} v${d.heldCommand.schemaVersion}) waits for an upgrade`,
                  })
                : null,
            ),
            h('td', { 'data-col': 'budget', 'data-at-risk-since': st.atRiskSince ?? '' }, budgetText(d)),
            h('td', { class: 'num', 'data-col': 'pending-up', text: d.pendingUp ?? '—' }),
            h('td', { class: 'num', 'data-col': 'pending-commands', text: d.pendingCommands }),
            h('td', { 'data-col': 'clock-skew', class: clockOff(d.clockSkewMs) ? 'error-text' : '', text: skewText(d.clockSkewMs) }),
            h('td', { class: 'error-text', 'data-col': 'last-error', text: d.lastError ?? '' }),
            h('td', {}, codeBtn(), revoked || !can('operate') ? null : rotateButton(d), revoked || !can('operate') ? null : revokeButton(d)),
          ),
        );
      }
    }
    // Replace the table only when nothing in it is armed or focused, so a refresh never eats a click.
    if (tableHolder.querySelector('[data-armed="true"]:not(:disabled)')) return;
    const empty = query.q || query.status ? 'No store matches.' : 'No store yet: enrol one below.';
    clear(tableHolder).append(
      table(['Store', 'Device', 'Online', 'Last seen', 'Version', 'Not yet at head office', 'Events waiting at store', 'Commands waiting at central', 'Clock', 'Last error', ''], rows, empty),
    );
  }

  return { refresh, every: 2000 };
}

/** "0.2.0 (v3): 12 stores · 0.1.0 (v2): 3 stores": how far a rollout has got. */
function versionsCard(versions) {
  const text = versions.length === 0 ? 'none yet' : versions.map((v) => `${v.agentVersion ?? 'never connected'}${v.protocolVersion === null ? '' : ` (v${v.protocolVersion})`}: ${v.stores} store${v.stores === 1 ? '' : 's'}`).join(' · ');
  return h('div', { class: 'card', 'data-testid': 'sum-versions' }, h('div', { class: 'card-value small', text }), h('div', { class: 'muted', text: 'agent versions (protocol)' }));
}

/** "40 s", "12 min", "3 h", "2 days" @param {number} ms */
function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  const d = Math.floor(s / 86_400);
  return `${d} day${d === 1 ? '' : 's'}`;
}

/**
 * The offline budget of a device in business terms: "offline 3 h · 3 h unsent, oldest 11:02: 38 sales, 2 returns,
 * 1 count". The counts are what the agent last reported; offline, anything sold since is unsent too.
 */
function budgetText(d) {
  const parts = [];
  if (!d.online && d.lastSeenAt && d.revokedAt === null) parts.push(`offline ${duration(Date.now() - Date.parse(d.lastSeenAt))}`);
  const u = d.unsent;
  const total = u ? u.sales + u.returns + u.counts + u.other : 0;
  if (u && total > 0) {
    const kinds = [[u.sales, 'sale', 'sales'], [u.returns, 'return', 'returns'], [u.counts, 'count', 'counts'], [u.other, 'other', 'other']]
      .filter(([n]) => n > 0)
      .map(([n, one, many]) => `${n} ${n === 1 ? one : many}`)
      .join(', ');
    const oldest = u.oldestAt ? new Date(u.oldestAt) : null;
    const hm = oldest?.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
    parts.push(oldest ? `${duration(Date.now() - oldest.getTime())} unsent, oldest ${hm}: ${kinds}` : `unsent: ${kinds}`);
  }
  return parts.length ? parts.join(' · ') : u ? 'all at head office' : '—';
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
