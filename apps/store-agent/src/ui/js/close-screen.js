// Day close: the store's control totals for one business day, sent once, confirmed first.
import { call } from './api.js';
import { byId, el, localToday, say, whileBusy } from './dom.js';
import { formatMoney } from './money.js';

export function closeScreen(/** @type {{ onCaptured: () => void }} */ o) {
  const form = /** @type {HTMLFormElement} */ (byId('close-form'));
  const date = /** @type {HTMLInputElement} */ (form.elements.namedItem('date'));
  const confirm = byId('close-confirm');
  const msg = byId('close-msg');
  date.value = localToday();

  /** The day's sales, returns and tenders per method, as the close will send them: checked against the drawer first. */
  const showTotals = async (/** @type {string} */ day) => {
    const rows = byId('close-totals-rows');
    const r = await call('GET', `/api/v1/days/${encodeURIComponent(day)}/totals`);
    if (!r.ok) return rows.replaceChildren(el('tr', {}, el('td', { text: `Totals not available: ${r.error?.message}` })));
    const t = r.body;
    const money = (/** @type {number} */ n) => formatMoney(n, t.currency);
    const row = (/** @type {string} */ label, /** @type {string} */ value, /** @type {string} */ key) => el('tr', { 'data-total': key }, el('th', { scope: 'row', text: label }), el('td', { class: 'num', text: value }));
    rows.replaceChildren(
      row(`Sales (${t.transactionCount})`, money(t.salesTotal), 'sales'),
      row(`Returns (${t.returnCount})`, money(-t.returnsTotal), 'returns'),
      ...t.tenders.map((/** @type {{ method: string, amount: number }} */ x) => row(`Tendered: ${x.method}`, money(x.amount), `tender:${x.method}`)),
    );
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value)) return say(msg, 'err', 'Choose the business day to close.');
    await showTotals(date.value);
    const when = new Date(`${date.value}T12:00:00`).toLocaleDateString(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
    byId('close-confirm-text').textContent = `Close ${when} (${date.value})? Its totals go to head office. Sales still made on this day afterwards are sent too, but are not in these totals.`;
    confirm.hidden = false;
    say(msg, '', '');
    byId('close-yes').focus();
  });
  byId('close-no').addEventListener('click', () => {
    confirm.hidden = true;
    date.focus();
  });
  byId('close-yes').addEventListener('click', async () => {
    const day = date.value;
    const r = await whileBusy(/** @type {HTMLButtonElement} */ (byId('close-yes')), () => call('POST', `/api/v1/days/${encodeURIComponent(day)}/close`));
    confirm.hidden = true;
    if (!r.ok) return say(msg, 'err', `Day not closed: ${r.error?.message}`);
    say(msg, 'ok', r.body.duplicate ? `${day} was already closed; nothing changed.` : `${day} is closed: its totals are on their way to head office.`);
    date.focus();
    o.onCaptured();
  });
}
