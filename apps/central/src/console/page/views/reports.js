// Charts where a person would rather look than read, each with its figures as a CSV download.
import { all, api, downloadCsv } from '../api.js';
import { columnChart, distribution, limitSeries, minuteLabel, pivot, topN } from '../charts.js';
import { clear, h } from '../dom.js';

const seconds = (v) => (v >= 120 ? `${Math.round(v / 60)} min` : `${Math.round(v * 10) / 10} s`);
const amount = (v) => (v / 100).toLocaleString(undefined, { maximumFractionDigits: 0 });
const percent = (v) => `${Math.round(v * 100)}%`;
// Charts over stores draw at most this many bars or series; the rest are summed or counted, and the figures table
// and CSV keep every store.
const TOP = 10;
const LAG_BANDS = [
  { label: '< 1 s', from: 0, to: 1 },
  { label: '1–10 s', from: 1, to: 10 },
  { label: '10–60 s', from: 10, to: 60 },
  { label: '1–5 min', from: 60, to: 300 },
  { label: '5–15 min', from: 300, to: 900 },
  { label: '15–60 min', from: 900, to: 3600 },
  { label: '≥ 1 h', from: 3600 },
];
const more = (hidden, what) => (hidden ? ` (top ${TOP}; ${hidden} more ${what} in the CSV)` : '');

export function reportsView(root) {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
  const from = h('input', { type: 'date', name: 'from', value: monthAgo });
  const to = h('input', { type: 'date', name: 'to', value: today });
  const grid = h('div', { class: 'charts' });
  root.append(
    h('h2', { text: 'Reports' }),
    h('div', { class: 'inline' }, h('label', {}, 'Business days from ', from), h('label', {}, ' to ', to)),
    grid,
  );
  from.addEventListener('change', () => void refresh());
  to.addEventListener('change', () => void refresh());

  const days = () => `from=${from.value}&to=${to.value}`;
  const csv = (path, name) => h('button', { type: 'button', class: 'link', 'data-csv': name, text: 'CSV', onclick: () => void downloadCsv(path, `${name}.csv`) });
  const card = (chart, path, name, note) => h('section', { class: 'card' }, chart, h('div', { class: 'card-foot' }, note ? h('span', { class: 'muted', text: note }) : null, csv(path, name)));

  async function refresh() {
    const [rate, lag, sales, reasons, variance] = await Promise.all([
      api('/reports/ingest-rate?minutes=60&limit=1000'),
      all('/reports/sync-lag?minutes=60'),
      all(`/reports/sales-by-day?${days()}`),
      all(`/reports/returns-by-reason?${days()}`),
      all(`/reports/count-variance?${days()}`),
    ]);
    const salesByStore = limitSeries(pivot(sales, 'businessDate', 'storeId', 'salesAmount'), TOP);
    const returnsByStore = limitSeries(pivot(sales, 'businessDate', 'storeId', 'returnsAmount'), TOP);
    const worstLag = topN(lag, 'maxLagSeconds', TOP);
    const worstVariance = topN(variance, 'absVariance', TOP);
    const currencies = [...new Set(sales.map((r) => r.currency))];
    const money = currencies.length === 1 ? ` (${currencies[0]})` : currencies.length ? ' (mixed currencies)' : '';
    clear(grid).append(
      card(
        columnChart({
          id: 'ingest-rate',
          title: 'Events ingested per minute (last hour)',
          categories: rate.items.map((r) => minuteLabel(r.minute)),
          series: [{ name: 'stored', values: rate.items.map((r) => r.events) }, { name: 'quarantined', values: rate.items.map((r) => r.quarantined) }],
          hasData: rate.items.some((r) => r.events + r.quarantined > 0),
          empty: 'Nothing arrived in the last hour.',
          xLabel: 'minute (local time)',
          yLabel: 'events',
        }),
        '/reports/ingest-rate?minutes=60',
        'ingest-rate',
      ),
      card(
        columnChart({
          id: 'sync-lag',
          title: `Sync lag per store: capture to central (last hour)${more(worstLag.hidden, 'stores')}`,
          categories: worstLag.rows.map((r) => r.storeId),
          series: [{ name: 'average', values: worstLag.rows.map((r) => r.avgLagSeconds ?? 0) }, { name: 'worst', values: worstLag.rows.map((r) => r.maxLagSeconds ?? 0) }],
          format: seconds,
          yLabel: 'lag',
        }),
        '/reports/sync-lag?minutes=60',
        'sync-lag',
        `Waiting at stores now: ${topN(lag, 'pendingUp', TOP).rows.filter((r) => r.pendingUp > 0).map((r) => `${r.storeId} ${r.pendingUp}`).join(', ') || 'none'}`,
      ),
      card(
        columnChart({
          id: 'sync-lag-distribution',
          title: 'Stores by worst sync lag (last hour)',
          categories: LAG_BANDS.map((b) => b.label),
          series: [{ name: 'stores', values: distribution(lag.map((r) => r.maxLagSeconds ?? 0), LAG_BANDS) }],
          hasData: lag.length > 0,
          empty: 'Nothing arrived in the last hour.',
          xLabel: 'worst capture-to-central delay',
          yLabel: 'stores',
        }),
        '/reports/sync-lag?minutes=60',
        'sync-lag',
      ),
      card(
        columnChart({ id: 'sales-by-day', title: `Sales by store and day${money}`, categories: salesByStore.categories, series: salesByStore.series, format: amount, xLabel: 'business day' }),
        `/reports/sales-by-day?${days()}`,
        'sales-by-day',
      ),
      card(
        columnChart({ id: 'returns-by-day', title: `Returns by store and day${money}`, categories: returnsByStore.categories, series: returnsByStore.series, format: amount, xLabel: 'business day' }),
        `/reports/sales-by-day?${days()}`,
        'sales-by-day',
      ),
      card(
        columnChart({
          id: 'returns-by-reason',
          title: 'Returned units by reason code',
          categories: reasons.map((r) => (currencies.length > 1 ? `${r.reasonCode} ${r.currency}` : r.reasonCode)),
          series: [{ name: 'units', values: reasons.map((r) => r.qty) }],
        }),
        `/reports/returns-by-reason?${days()}`,
        'returns-by-reason',
      ),
      card(
        columnChart({
          id: 'count-variance',
          title: `Count variance by store: units counted off the books${more(worstVariance.hidden, 'stores')}`,
          categories: worstVariance.rows.map((r) => r.storeId),
          series: [{ name: 'absolute variance', values: worstVariance.rows.map((r) => r.absVariance) }],
        }),
        `/reports/count-variance?${days()}`,
        'count-variance',
        worstVariance.rows.length ? `Inventory accuracy (counted lines matching the books): ${worstVariance.rows.map((r) => `${r.storeId} ${percent(r.accuracy)}`).join(', ')}` : '',
      ),
    );
  }
  return { refresh, every: 10_000 };
}
