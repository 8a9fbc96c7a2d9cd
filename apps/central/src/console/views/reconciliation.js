// Reconciliation (DESIGN §6): per store and business day, the store's day.closed control totals against central
// and the ERP. It comes with the ERP issue; until GET /api/v1/reconciliation exists this page is a labelled
// placeholder and shows no figures at all.
import { api } from '../api.js';
import { clear, h, table, unavailable } from '../dom.js';

export function reconciliationView(root) {
  const date = h('input', { type: 'date', name: 'date', value: new Date().toISOString().slice(0, 10) });
  const holder = h('div', { 'data-testid': 'reconciliation' });
  root.append(h('h2', { text: 'Reconciliation' }), h('label', {}, 'Business day ', date), holder);
  date.addEventListener('change', () => void refresh());

  async function refresh() {
    let page;
    try {
      page = await api(`/reconciliation?date=${date.value}&limit=1000`);
    } catch (err) {
      if (err.status !== 404) throw err;
      clear(holder).append(
        unavailable(
          'Reconciliation',
          "it arrives with ERP posting (not built yet). It will list, per store and business day, every difference between the store's day-close totals, what central holds and what the ERP confirmed.",
        ),
      );
      return;
    }
    const items = page.items ?? [];
    const cols = items.length ? Object.keys(items[0]) : ['storeId'];
    clear(holder).append(table(cols, items.map((r) => h('tr', {}, cols.map((c) => h('td', { text: typeof r[c] === 'object' ? JSON.stringify(r[c]) : r[c] ?? '' })))), 'No difference.'));
  }
  return { refresh, every: 0 };
}
