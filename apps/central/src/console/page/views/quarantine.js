// Quarantined events (failed validation at central) and ERP dead letters, each with a replay button.
import { api, can } from '../api.js';
import { clear, h, table, time, unavailable } from '../dom.js';

export function quarantineView(root) {
  const filter = h(
    'select',
    { name: 'status', 'data-testid': 'quarantine-status' },
    // All by default: a row just replayed stays in view with its outcome.
    h('option', { value: '', text: 'all' }),
    h('option', { value: 'open', text: 'open' }),
    h('option', { value: 'replayed', text: 'replayed' }),
  );
  const qHolder = h('div', { 'data-testid': 'quarantine' });
  const erpHolder = h('div', { 'data-testid': 'erp-dead-letters' });
  root.append(
    h('h2', { text: 'Quarantine' }),
    h('p', { class: 'muted', text: 'Events central could not store as they arrived. Replay re-validates one with central\'s current rules and stores it if it is valid now; otherwise it stays here with the reason.' }),
    h('label', {}, 'Show ', filter),
    qHolder,
    h('h2', { text: 'ERP dead letters' }),
    erpHolder,
  );
  filter.addEventListener('change', () => void refresh());
  // Outcomes of replays survive refreshes until the row changes.
  const outcomes = new Map();

  function replayButton(path, key, row) {
    if (!can('operate')) return null;
    const b = h('button', { type: 'button', 'data-action': 'replay', text: 'Replay' });
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        const r = await api(path, { method: 'POST' });
        outcomes.set(key, { ok: true, text: r.eventId ? `replayed: stored as event ${r.eventId}` : `replayed: ${r.status}` });
      } catch (err) {
        outcomes.set(key, { ok: false, text: `still failing: ${err.message}` });
      }
      await refresh();
      row.scrollIntoView?.({ block: 'nearest' });
    });
    return b;
  }

  async function refresh() {
    const status = filter.value;
    const q = await api(`/quarantine?limit=200${status ? `&status=${status}` : ''}`);
    const rows = q.items.map((x) => {
      const key = `q:${x.id}`;
      const row = h('tr', { 'data-quarantine-id': x.id, 'data-status': x.status });
      const outcome = outcomes.get(key);
      row.append(
        h('td', { class: 'num', text: x.id }),
        h('td', {}, h('a', { href: `#/store/${encodeURIComponent(x.storeId)}`, text: x.storeId })),
        h('td', { class: 'num', text: x.seq }),
        h('td', { class: 'mono', text: x.eventId ?? '—' }),
        h('td', { class: 'error-text', text: x.error }),
        h('td', {}, time(x.receivedAt)),
        h(
          'td',
          { 'data-col': 'status' },
          x.status === 'replayed' ? h('span', { class: 'badge ok', text: 'replayed' }) : replayButton(`/quarantine/${x.id}/replay`, key, row),
          outcome ? h('div', { class: outcome.ok ? 'ok-text' : 'error-text', 'data-testid': 'replay-outcome', text: outcome.text }) : null,
        ),
      );
      return row;
    });
    clear(qHolder).append(table(['Id', 'Store', 'Seq', 'Event id', 'Error', 'Received', ''], rows, 'Nothing in quarantine.'));

    // ERP posting (docs/erp.md) is its own issue; until its API exists the section says so and shows nothing.
    try {
      const dead = await api('/erp/postings?status=dead&limit=200');
      // The configuration check made at start: what will turn into dead letters before it does.
      const status = await api('/erp/status').catch(() => null);
      const problems = status?.config?.ok === false ? status.config.problems : [];
      const configBox = problems.length
        ? h('div', { class: 'error-text', 'data-testid': 'erp-config-problems' }, h('strong', { text: `ERP configuration: ${problems.length} problem(s) found at start` }), h('ul', {}, ...problems.map((p) => h('li', { text: p }))))
        : null;
      const erpRows = dead.items.map((p) => {
        const key = `erp:${p.id}`;
        const row = h('tr', { 'data-posting-id': p.id });
        const outcome = outcomes.get(key);
        row.append(
          h('td', { class: 'mono', text: p.id }),
          h('td', { text: p.storeId ?? '' }),
          h('td', { text: p.kind ?? p.type ?? '' }),
          h('td', { class: 'error-text', text: p.lastError ?? p.error ?? '' }),
          h('td', {}, time(p.updatedAt ?? p.createdAt ?? null)),
          h('td', {}, replayButton(`/erp/postings/${encodeURIComponent(p.id)}/replay`, key, row), outcome ? h('div', { class: outcome.ok ? 'ok-text' : 'error-text', text: outcome.text }) : null),
        );
        return row;
      });
      clear(erpHolder).append(...(configBox ? [configBox] : []), table(['Posting', 'Store', 'Kind', 'ERP error', 'When', ''], erpRows, 'No dead letter.'));
    } catch (err) {
      if (err.status !== 404) throw err;
      clear(erpHolder).append(unavailable('ERP dead letters', 'ERP posting is not built yet; dead letters appear here, with replay buttons, once central posts to an ERP.'));
    }
  }

  return { refresh, every: 3000 };
}
