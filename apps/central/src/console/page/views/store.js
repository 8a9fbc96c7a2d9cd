// One store: its devices, events per minute, and its event timeline (newest first, page by page), with the
// quarantine and conflicts that concern it.
import { api, can } from '../api.js';
import { columnChart, minuteLabel } from '../charts.js';
import { badge, clear, h, table, time } from '../dom.js';

/** One line of what an event says, for the timeline. */
export function summarize(ev) {
  const p = ev.payload ?? {};
  const lines = Array.isArray(p.lines) ? p.lines : [];
  const skus = lines.map((l) => `${l.sku}×${l.qty ?? l.countedQty ?? l.qtyDelta ?? ''}`).join(', ');
  const doc = p.transactionId ?? p.returnId ?? p.countId ?? p.adjustmentId ?? p.reservationId ?? p.businessDate ?? '';
  return [doc, skus].filter(Boolean).join(' · ');
}

export function storeView(root, [storeId = '']) {
  const head = h('div');
  const alertBox = h('div', { 'data-testid': 'store-alerts' });
  const rejectedBox = h('div', { 'data-testid': 'import-rejections' });
  const chart = h('div', { class: 'card narrow' });
  const timeline = h('tbody');
  const more = h('button', { type: 'button', text: 'Load older events', hidden: true });
  const side = h('div', { class: 'two-col' });

  root.append(
    h('p', {}, h('a', { href: '#/fleet', text: '← Fleet' })),
    h('h2', { text: `Store ${storeId}` }),
    alertBox,
    head,
    rejectedBox,
    chart,
    h('h3', { text: 'Event timeline' }),
    h('table', { 'data-testid': 'timeline' }, h('thead', {}, h('tr', {}, ['Seq', 'Type', 'Occurred', 'Received', 'What', 'Correlation id'].map((c) => h('th', { text: c })))), timeline),
    more,
    side,
  );

  // Newest first. A refresh puts events that arrived since on top; "Load older" continues below.
  const shown = new Set();
  let older = null;
  const eventRow = (ev) =>
    h(
      'tr',
      { 'data-event-id': ev.eventId, 'data-type': ev.type },
      h('td', { class: 'num', text: ev.seq }),
      h('td', { text: ev.type }),
      h('td', {}, time(ev.occurredAt)),
      h('td', {}, time(ev.receivedAt)),
      h('td', { text: summarize(ev) }),
      h('td', { class: 'mono muted', text: ev.correlationId }),
    );
  async function loadNewest() {
    const page = await api(`/reports/store-timeline?storeId=${encodeURIComponent(storeId)}&limit=100`);
    let fresh = page.items.filter((ev) => !shown.has(ev.eventId));
    // A full page of unseen events means more arrived than one page since the last look: start over rather
    // than leave a hole between them and what is shown.
    if (shown.size > 0 && fresh.length === page.items.length && page.next) {
      shown.clear();
      clear(timeline);
      fresh = page.items;
    }
    if (shown.size === 0) {
      older = page.next;
      more.hidden = !older;
    }
    for (const ev of fresh) shown.add(ev.eventId);
    timeline.prepend(...fresh.map(eventRow));
  }
  async function loadOlder() {
    const page = await api(`/reports/store-timeline?storeId=${encodeURIComponent(storeId)}&limit=100&after=${older}`);
    const rows = page.items.filter((ev) => !shown.has(ev.eventId));
    for (const ev of rows) shown.add(ev.eventId);
    timeline.append(...rows.map(eventRow));
    older = page.next;
    more.hidden = !older;
  }
  more.addEventListener('click', () => void loadOlder());

  async function refresh() {
    // The fleet list searched for this id (a few rows at most), not the whole fleet.
    const found = await api(`/stores?q=${encodeURIComponent(storeId)}&sort=store&limit=1000`);
    const st = found.items.find((x) => x.storeId === storeId);
    if (!st) {
      clear(head).append(h('p', { class: 'error', text: `No store ${storeId}.` }));
      return;
    }
    clear(head).append(
      table(
        ['Device', 'Online', 'Last seen', 'Acked seq', 'Events waiting at store', 'Commands waiting', 'Last error'],
        st.devices.map((d) =>
          h(
            'tr',
            { 'data-device-id': d.deviceId },
            h('td', { text: d.name }),
            h('td', {}, d.revokedAt ? h('span', { class: 'badge bad', text: 'revoked' }) : badge(d.online, 'online', 'offline')),
            h('td', {}, time(d.lastSeenAt)),
            h('td', { class: 'num', text: d.ackedSeq }),
            h('td', { class: 'num', text: d.pendingUp ?? '—' }),
            h('td', { class: 'num', text: d.pendingCommands }),
            h('td', { class: 'error-text', text: d.lastError ?? '' }),
          ),
        ),
        'No device enrolled yet.',
      ),
    );
    const alerts = await api(`/alerts?storeId=${encodeURIComponent(storeId)}`);
    clear(alertBox).append(
      ...alerts.items.map((a) => h('p', { class: `alert ${a.severity}`, 'data-kind': a.kind }, h('strong', { text: a.kind.replace(/_/g, ' ') }), ` since ${new Date(a.since).toLocaleString()}: `, a.detail)),
    );
    const rejected = await api(`/stores/${encodeURIComponent(storeId)}/import-rejections?limit=20`);
    const open = rejected.items.filter((r) => !r.clearedAt);
    const clearBtn = h('button', { type: 'button', 'data-action': 'clear-rejections', text: 'Seen to: files fixed and dropped again' });
    clearBtn.addEventListener('click', async () => {
      clearBtn.disabled = true;
      await api(`/stores/${encodeURIComponent(storeId)}/import-rejections/clear`, { method: 'POST' });
      await refresh();
    });
    clear(rejectedBox).append(
      rejected.items.length ? h('h3', { text: `Till files rejected at the store (${open.length} open)` }) : null,
      rejected.items.length
        ? table(
            ['File', 'Line', 'Reason', 'Rejected', ''],
            rejected.items.map((r) =>
              h('tr', { 'data-file': r.file, 'data-open': String(!r.clearedAt) }, h('td', { class: 'mono', text: r.file }), h('td', { class: 'num', text: r.line ?? '—' }), h('td', { class: 'error-text', text: r.reason }), h('td', {}, time(r.rejectedAt)), h('td', { text: r.clearedAt ? 'seen to' : '' })),
            ),
          )
        : null,
      open.length && can('operate') ? clearBtn : null,
    );
    const rate = await api(`/reports/ingest-rate?minutes=60&storeId=${encodeURIComponent(storeId)}&limit=1000`);
    clear(chart).append(
      columnChart({
        id: 'store-ingest-rate',
        title: 'Events received per minute (last hour)',
        categories: rate.items.map((r) => minuteLabel(r.minute)),
        series: [{ name: 'stored', values: rate.items.map((r) => r.events) }, { name: 'quarantined', values: rate.items.map((r) => r.quarantined) }],
        hasData: rate.items.some((r) => r.events + r.quarantined > 0),
        empty: 'Nothing arrived in the last hour.',
      }),
    );
    await loadNewest();
    const [q, c] = await Promise.all([
      api(`/quarantine?storeId=${encodeURIComponent(storeId)}&status=open&limit=100`),
      api(`/conflicts?storeId=${encodeURIComponent(storeId)}&limit=100`),
    ]);
    clear(side).append(
      h(
        'div',
        {},
        h('h3', {}, 'Open quarantine ', h('a', { href: '#/quarantine', text: '(all)' })),
        table(['Seq', 'Error', 'Received'], q.items.map((x) => h('tr', {}, h('td', { class: 'num', text: x.seq }), h('td', { class: 'error-text', text: x.error }), h('td', {}, time(x.receivedAt)))), 'Nothing in quarantine.'),
      ),
      h(
        'div',
        {},
        h('h3', {}, 'Conflicts ', h('a', { href: '#/conflicts', text: '(all)' })),
        table(['Kind', 'Sku', 'Resolution', 'When'], c.items.map((x) => h('tr', {}, h('td', { text: x.kind }), h('td', { text: x.sku ?? '' }), h('td', { text: x.resolution }), h('td', {}, time(x.createdAt)))), 'No conflict recorded.'),
      ),
    );
  }

  return { refresh, every: 5000 };
}
