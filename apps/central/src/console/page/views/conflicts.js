// The conflict log: every merge rule that fired (docs/rules.md), newest page last, filterable by store and kind.
import { api } from '../api.js';
import { clear, h, table, time } from '../dom.js';

const KINDS = ['', 'count_superseded', 'count_recomputed', 'unknown_sku', 'return_unlinked', 'return_linked', 'oversold', 'rerouted', 'reroute_failed', 'pick_after_cancel', 'pickup_after_cancel', 'pick_unexpected', 'pick_repeated', 'device_restored'];

export function conflictsView(root) {
  const kind = h('select', { name: 'kind' }, KINDS.map((k) => h('option', { value: k, text: k || 'all kinds' })));
  const store = h('input', { name: 'storeId', placeholder: 'store id (all)', maxlength: 64 });
  const holder = h('div', { 'data-testid': 'conflicts' });
  const more = h('button', { type: 'button', text: 'Load more', hidden: true });
  let items = [];
  let next = null;
  root.append(h('h2', { text: 'Conflict log' }), h('div', { class: 'inline' }, h('label', {}, 'Kind ', kind), h('label', {}, 'Store ', store)), holder, more);

  const query = () => `/conflicts?limit=200${kind.value ? `&kind=${kind.value}` : ''}${store.value.trim() ? `&storeId=${encodeURIComponent(store.value.trim())}` : ''}`;

  function render() {
    const rows = items.map((c) =>
      h(
        'tr',
        { 'data-conflict-id': c.id, 'data-kind': c.kind },
        h('td', { class: 'num', text: c.id }),
        h('td', {}, time(c.createdAt)),
        h('td', {}, h('a', { href: `#/store/${encodeURIComponent(c.storeId)}`, text: c.storeId })),
        h('td', { text: c.kind }),
        h('td', { text: c.sku ?? '' }),
        h('td', { text: c.resolution }),
        h('td', {}, h('details', {}, h('summary', { text: 'inputs' }), h('pre', { text: JSON.stringify(c.inputs, null, 2) }))),
      ),
    );
    clear(holder).append(table(['Id', 'When', 'Store', 'Kind', 'Sku', 'Resolution', 'Inputs'], rows, 'No conflict recorded.'));
    more.hidden = !next;
  }

  async function refresh() {
    // Newer conflicts arrive at the end of the log; a refresh re-reads the first page unless more were loaded.
    if (items.length > 200) return;
    const page = await api(query());
    items = page.items;
    next = page.next;
    render();
  }
  more.addEventListener('click', async () => {
    const page = await api(`${query()}&after=${next}`);
    items = items.concat(page.items);
    next = page.next;
    render();
  });
  kind.addEventListener('change', () => {
    items = [];
    void refresh();
  });
  store.addEventListener('change', () => {
    items = [];
    void refresh();
  });
  return { refresh, every: 5000 };
}
