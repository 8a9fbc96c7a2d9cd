// Reconciliation (docs/erp.md): per store and business day, the store's day-close totals, central's books and what
// the ERP confirmed, side by side as numbers and money with the differences highlighted; a row opens its
// differences, and a document id opens the event central holds and its ERP posting. CSV of what is shown; a fleet
// view of the last days lists the stores that do not reconcile.
import { api } from '../api.js';
import { clear, h, money, table } from '../dom.js';

const today = () => new Date().toISOString().slice(0, 10);
const dayBefore = (iso, n) => new Date(Date.parse(`${iso}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const FIGURES = [
  ['transactionCount', 'Sales', false],
  ['salesTotal', 'Sales total', true],
  ['returnCount', 'Returns', false],
  ['returnsTotal', 'Returns total', true],
];
const KIND_TEXT = {
  store_vs_central: 'store ≠ central',
  counted_cash: 'cash over/short',
  not_posted: 'not posted yet',
  missing_in_erp: 'missing in the ERP',
  extra_in_erp: 'extra in the ERP',
  erp_unreachable: 'ERP unreachable',
};

/** CSV cell: quoted, and a leading = + - @ defused so a spreadsheet never runs it as a formula. */
function csvCell(v) {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function reconciliationView(root) {
  const date = h('input', { type: 'date', name: 'date', value: today(), 'data-testid': 'recon-date' });
  const store = h('input', { type: 'search', name: 'storeId', placeholder: 'All stores', 'data-testid': 'recon-store' });
  const csv = h('button', { type: 'button', 'data-testid': 'recon-csv', text: 'Download CSV' });
  const fleet = h('button', { type: 'button', 'data-testid': 'recon-fleet', text: 'Last 7 days, fleet' });
  const holder = h('div', { 'data-testid': 'reconciliation' });
  const detail = h('div', { class: 'panel', 'data-testid': 'recon-detail', hidden: true });
  root.append(h('h2', { text: 'Reconciliation' }), h('div', { class: 'controls' }, h('label', {}, 'Business day ', date), store, csv, fleet), holder, detail);
  let shown = [];
  date.addEventListener('change', () => void refresh());
  store.addEventListener('change', () => void refresh());
  csv.addEventListener('click', () => download());
  fleet.addEventListener('click', () => void fleetDays(7));

  function figureCells(rec, field, isMoney) {
    const vals = [rec.store ? rec.store[field] : null, rec.central[field], rec.erp[field]];
    const known = vals.filter((v) => v !== null);
    const differs = known.some((v) => v !== known[0]);
    return vals.map((v, i) =>
      h('td', {
        class: `num${differs ? ' diff' : ''}`,
        'data-field': field,
        'data-side': ['store', 'central', 'erp'][i],
        text: v === null ? '—' : isMoney ? money(v, rec.currency ?? 'EUR') : v,
      }),
    );
  }

  async function refresh() {
    const params = new URLSearchParams({ date: date.value, limit: '1000' });
    if (store.value.trim()) params.set('storeId', store.value.trim());
    let page;
    try {
      page = await api(`/reconciliation?${params}`);
    } catch (err) {
      clear(holder).append(h('p', { class: 'error', text: err.message }));
      return;
    }
    shown = page.items;
    const head = h(
      'thead',
      {},
      h('tr', {}, h('th', { rowspan: 2, text: 'Store' }), h('th', { rowspan: 2, text: 'Status' }), FIGURES.map(([, label]) => h('th', { colspan: 3, text: label })), h('th', { rowspan: 2, text: 'Differences' })),
      h('tr', {}, FIGURES.map(() => ['store', 'central', 'ERP'].map((s) => h('th', { class: 'sub', text: s })))),
    );
    const rows = shown.map((rec) => {
      const tr = h(
        'tr',
        { 'data-store-id': rec.storeId, 'data-status': rec.status, class: `clickable status-${rec.status}`, tabindex: 0 },
        h('td', { text: rec.storeId }),
        h('td', {}, h('span', { class: `badge ${rec.status === 'matched' ? 'ok' : rec.status === 'open' ? 'muted-badge' : 'bad'}`, text: rec.status })),
        FIGURES.map(([field, , isMoney]) => figureCells(rec, field, isMoney)),
        h('td', { text: rec.differences.map((d) => KIND_TEXT[d.kind] ?? d.kind).join(', ') || '—' }),
      );
      tr.addEventListener('click', () => void open(rec));
      tr.addEventListener('keydown', (e) => e.key === 'Enter' && void open(rec));
      return tr;
    });
    const none = h('tr', {}, h('td', { colspan: 2 + FIGURES.length * 3 + 1, class: 'muted', text: `No store had activity on ${date.value}.` }));
    clear(holder).append(h('table', { class: 'recon' }, head, h('tbody', {}, rows.length ? rows : none)));
  }

  async function open(rec) {
    detail.hidden = false;
    const tenders = [...new Set([...(rec.store?.tenders ?? []), ...rec.central.tenders, ...rec.erp.tenders].map((t) => t.method))];
    const amount = (side, m) => side?.tenders.find((t) => t.method === m)?.amount ?? null;
    clear(detail).append(
      h('h3', { text: `${rec.storeId}, ${rec.businessDate}: ${rec.status}` }),
      table(
        ['Tender', 'store', 'central', 'ERP'],
        tenders.map((m) => h('tr', {}, h('td', { text: m }), [rec.store, rec.central, rec.erp].map((side) => h('td', { class: 'num', text: amount(side, m) === null ? '—' : money(amount(side, m), rec.currency ?? 'EUR') })))),
        'No tender.',
      ),
      // What the associate counted at the close against what the close says was tendered by that method.
      h('h3', { text: 'Counted at the day close' }),
      h(
        'div',
        { 'data-testid': 'recon-counted' },
        table(
          ['Method', 'tendered', 'counted', 'difference'],
          (rec.countedCash ?? []).map((c) =>
            h(
              'tr',
              { 'data-method': c.method, class: c.difference !== 0 ? 'diff' : '' },
              h('td', { text: c.method }),
              [c.expected, c.counted, c.difference].map((n) => h('td', { class: 'num', text: money(n, rec.currency ?? 'EUR') })),
            ),
          ),
          rec.status === 'open' ? 'The store has not closed this day yet.' : 'The store closed this day without counting.',
        ),
      ),
      h('h3', { text: 'Differences' }),
      rec.differences.length === 0
        ? h('p', { class: 'muted', text: rec.status === 'open' ? 'The store has not closed this day yet.' : 'None: store, central and ERP agree.' })
        : h(
            'ul',
            { class: 'differences' },
            rec.differences.map((d) =>
              h(
                'li',
                { 'data-kind': d.kind },
                h('strong', { text: KIND_TEXT[d.kind] ?? d.kind }),
                `: ${d.message} `,
                [...d.transactionIds, ...d.returnIds].map((id) => h('button', { type: 'button', class: 'link', 'data-document': id, text: id, onclick: () => void document_(rec, id, d.postingIds) })),
              ),
            ),
          ),
      h('div', { 'data-testid': 'recon-document' }),
    );
  }

  // A document as central holds it (the event, or the quarantined body) and the ERP posting(s) named with it.
  async function document_(rec, id, postingIds) {
    const box = detail.querySelector('[data-testid="recon-document"]');
    const ev = await api(`/events?storeId=${encodeURIComponent(rec.storeId)}&documentId=${encodeURIComponent(id)}&limit=10`);
    const postings = await Promise.all(postingIds.map((p) => api(`/erp/postings/${encodeURIComponent(p)}`).catch(() => null)));
    clear(box).append(
      h('h3', { text: `Document ${id}` }),
      ev.items.length
        ? table(
            ['Seq', 'Type', 'Occurred', 'Received', 'Lines', 'Event id'],
            ev.items.map((e) =>
              h(
                'tr',
                { 'data-event-id': e.eventId },
                h('td', { class: 'num', text: e.seq }),
                h('td', { text: e.type }),
                h('td', { text: e.occurredAt }),
                h('td', { text: e.receivedAt }),
                h('td', { text: (e.payload.lines ?? []).map((l) => `${l.sku}×${l.qty ?? l.countedQty}`).join(', ') }),
                h('td', { class: 'mono', text: e.eventId }),
              ),
            ),
          )
        : h('p', {}, 'Central holds no stored event for it (see ', h('a', { href: '#/quarantine', text: 'quarantine' }), ').'),
      postings.filter(Boolean).length
        ? table(
            ['Posting', 'Status', 'ERP reference', 'Last error'],
            postings.filter(Boolean).map((p) => h('tr', { 'data-posting-id': p.id }, h('td', { class: 'mono', text: p.id }), h('td', { text: p.status }), h('td', { text: p.erpRef ?? '—' }), h('td', { class: 'error-text', text: p.lastError ?? '' }))),
          )
        : null,
    );
  }

  function download() {
    const header = ['storeId', 'businessDate', 'status', ...FIGURES.flatMap(([f]) => [`store_${f}`, `central_${f}`, `erp_${f}`]), 'differences', 'countedCash'];
    // The drawer count in minor units, like the other figures: method, counted, tendered, difference.
    const counted = (r) => (r.countedCash ?? []).map((c) => `${c.method}: counted ${c.counted}, tendered ${c.expected}, difference ${c.difference}`).join(' | ');
    const lines = shown.map((r) =>
      [r.storeId, r.businessDate, r.status, ...FIGURES.flatMap(([f]) => [r.store ? r.store[f] : '', r.central[f], r.erp[f]]), r.differences.map((d) => `${d.kind}: ${d.message}`).join(' | '), counted(r)]
        .map(csvCell)
        .join(','),
    );
    const blob = new Blob([[header.map(csvCell).join(','), ...lines].join('\r\n') + '\r\n'], { type: 'text/csv' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `reconciliation-${date.value}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
  }

  // The last N days for the whole fleet: only the store-days that do not reconcile (open days included).
  async function fleetDays(n) {
    const days = Array.from({ length: n }, (_, i) => dayBefore(date.value, i));
    const pages = await Promise.all(days.map((d) => api(`/reconciliation?date=${d}&limit=1000`)));
    const bad = pages.flatMap((p) => p.items).filter((r) => r.status !== 'matched');
    clear(holder).append(
      h('h3', { text: `Not reconciled, ${days.at(-1)} to ${days[0]}` }),
      table(
        ['Store', 'Business day', 'Status', 'Differences'],
        bad.map((r) => h('tr', { 'data-store-id': r.storeId, 'data-status': r.status }, h('td', { text: r.storeId }), h('td', { text: r.businessDate }), h('td', { text: r.status }), h('td', { text: r.differences.map((d) => KIND_TEXT[d.kind] ?? d.kind).join(', ') || 'day not closed' }))),
        'Every store-day of the period reconciles.',
      ),
    );
    shown = bad;
  }

  return { refresh, every: 0 };
}
