// Reservations by state (docs/rules.md R4): counts per status and the list of one status. Written against central's
// GET /reservations; when that API is not there, the section says so instead of showing anything made up.
import { api } from '../api.js';
import { clear, h, table, time, unavailable } from '../dom.js';

export const STATUSES = ['requested', 'delivered', 'picked', 'short_picked', 'collected', 'cancelled', 'expired', 'at_risk'];

export function reservationsView(root) {
  let selected = 'requested';
  const counts = h('div', { class: 'tabs', 'data-testid': 'reservation-counts' });
  const list = h('div', { 'data-testid': 'reservations' });
  root.append(h('h2', { text: 'Reservations by state' }), counts, list);

  async function countOf(status) {
    const page = await api(`/reservations?status=${status}&limit=1000`);
    return page.next ? `${page.items.length}+` : String(page.items.length);
  }

  async function refresh() {
    let numbers;
    try {
      numbers = await Promise.all(STATUSES.map(countOf));
    } catch (err) {
      if (err.status !== 404) throw err;
      clear(counts);
      clear(list).append(unavailable('Reservations', 'central does not offer GET /api/v1/reservations yet.'));
      return;
    }
    clear(counts).append(
      ...STATUSES.map((st, i) =>
        h(
          'button',
          { type: 'button', class: st === selected ? 'tab active' : 'tab', 'data-status': st, 'data-count': numbers[i], onclick: () => { selected = st; void refresh(); } },
          `${st.replace('_', ' ')} `,
          h('span', { class: 'count', text: numbers[i] }),
        ),
      ),
    );
    const page = await api(`/reservations?status=${selected}&limit=200`);
    const rows = page.items.map((r) =>
      h(
        'tr',
        { 'data-reservation-id': r.reservationId, 'data-status': r.status },
        h('td', { class: 'mono', text: r.reservationId }),
        h('td', { text: r.orderId }),
        h('td', {}, h('a', { href: `#/store/${encodeURIComponent(r.storeId)}`, text: r.storeId })),
        h('td', { text: r.status }),
        h('td', { text: (r.lines ?? []).map((l) => `${l.sku}×${l.qty}${l.pickedQty === null || l.pickedQty === undefined ? '' : ` (picked ${l.pickedQty})`}`).join(', ') }),
        h('td', {}, time(r.createdAt)),
        h('td', {}, time(r.updatedAt)),
      ),
    );
    clear(list).append(table(['Reservation', 'Order', 'Store', 'Status', 'Lines', 'Created', 'Updated'], rows, `No reservation is ${selected.replace('_', ' ')}.`));
  }
  return { refresh, every: 5000 };
}
