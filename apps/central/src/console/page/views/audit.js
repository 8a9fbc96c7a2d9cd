// The audit log (admin only): every change made through the API, newest first, with who made it and from where.
import { api } from '../api.js';
import { clear, h, table, time } from '../dom.js';

const MAX = 5000;

export function auditView(root) {
  const action = h('input', { name: 'action', placeholder: 'e.g. device.revoked', maxlength: 100 });
  const store = h('input', { name: 'storeId', placeholder: 'store id', maxlength: 100 });
  const holder = h('div', { 'data-testid': 'audit' });
  root.append(h('h2', { text: 'Audit log' }), h('div', { class: 'inline' }, h('label', {}, 'Action ', action), h('label', {}, 'Store ', store)), holder);
  action.addEventListener('change', () => void refresh());
  store.addEventListener('change', () => void refresh());

  async function refresh() {
    const filter = `${action.value.trim() ? `&action=${encodeURIComponent(action.value.trim())}` : ''}${store.value.trim() ? `&storeId=${encodeURIComponent(store.value.trim())}` : ''}`;
    const entries = [];
    let after = 0;
    for (;;) {
      const page = await api(`/audit?limit=1000&after=${after}${filter}`);
      entries.push(...page.entries);
      if (page.nextAfter === null || entries.length >= MAX) break;
      after = page.nextAfter;
    }
    const rows = entries
      .reverse()
      .map((e) =>
        h(
          'tr',
          { 'data-seq': e.seq, 'data-action': e.action },
          h('td', {}, time(e.at)),
          h('td', {}, e.tokenName, h('div', { class: 'muted', text: e.role })),
          h('td', { class: 'mono', text: e.action }),
          h('td', { text: e.target ?? '' }),
          h('td', { text: e.storeId ?? '' }),
          h('td', { class: 'mono', text: e.sourceAddress }),
          h('td', { class: 'mono muted', text: e.correlationId }),
        ),
      );
    clear(holder).append(table(['Time', 'Who', 'Action', 'Target', 'Store', 'From', 'Correlation id'], rows, 'Nothing recorded yet.'));
  }
  return { refresh, every: 5000 };
}
