// Day close: the store's control totals for one business day, sent once, confirmed first, with the drawer counted.
import { call } from './api.js';
import { byId, el, localToday, say, whileBusy } from './dom.js';
import { closeBody, countRows, readCount } from './drawer-count.js';
import { formatMoney } from './money.js';

export function closeScreen(/** @type {{ onCaptured: () => void }} */ o) {
  const form = /** @type {HTMLFormElement} */ (byId('close-form'));
  const date = /** @type {HTMLInputElement} */ (form.elements.namedItem('date'));
  const confirm = /** @type {HTMLFormElement} */ (byId('close-confirm'));
  const msg = byId('close-msg');
  date.value = localToday();
  /** The counts being typed, with the currency they are in. */
  let counting = { currency: 'EUR', rows: /** @type {{ method: string, expected: number, input: HTMLInputElement }[]} */ ([]) };

  /** The day's sales, returns and tenders per method, as the close will send them: checked against the drawer first. */
  const showTotals = async (/** @type {string} */ day) => {
    const rows = byId('close-totals-rows');
    const r = await call('GET', `/api/v1/days/${encodeURIComponent(day)}/totals`);
    if (!r.ok) {
      counting = { currency: 'EUR', rows: [] };
      byId('close-count-rows').replaceChildren();
      return rows.replaceChildren(el('tr', {}, el('td', { text: `Totals not available: ${r.error?.message}` })));
    }
    const t = r.body;
    const money = (/** @type {number} */ n) => formatMoney(n, t.currency);
    const row = (/** @type {string} */ label, /** @type {string} */ value, /** @type {string} */ key) => el('tr', { 'data-total': key }, el('th', { scope: 'row', text: label }), el('td', { class: 'num', text: value }));
    rows.replaceChildren(
      row(`Sales (${t.transactionCount})`, money(t.salesTotal), 'sales'),
      row(`Returns (${t.returnCount})`, money(-t.returnsTotal), 'returns'),
      ...t.tenders.map((/** @type {{ method: string, amount: number }} */ x) => row(`Tendered: ${x.method}`, money(x.amount), `tender:${x.method}`)),
    );
    showCount(t.currency, countRows(t.tenders));
  };

  /** One input per method to count, each saying live what it is against the tenders (short, over, matches). */
  const showCount = (/** @type {string} */ currency, /** @type {{ method: string, expected: number }[]} */ methods) => {
    counting = {
      currency,
      rows: methods.map((m) => ({ ...m, input: /** @type {HTMLInputElement} */ (el('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', name: `counted-${m.method}`, 'aria-label': `Counted ${m.method}` })) })),
    };
    byId('close-count-rows').replaceChildren(
      ...counting.rows.map((c) => {
        const note = el('td', { class: 'count-note', 'data-note': c.method, 'aria-live': 'polite' });
        const update = () => {
          const r = readCount(c.input.value, c.expected, currency);
          note.textContent = r.state === 'empty' ? `expected ${formatMoney(c.expected, currency)}` : r.text;
          note.className = `count-note${r.state === 'invalid' ? ' err' : r.state === 'counted' && r.difference !== 0 ? ' warn' : ''}`;
        };
        c.input.addEventListener('input', update);
        update();
        return el('tr', { 'data-count': c.method }, el('th', { scope: 'row' }, el('label', { text: `Counted ${c.method}` })), el('td', {}, c.input), note);
      }),
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
    // The drawer is counted first; Enter in a count (or on the button) closes the day.
    (counting.rows[0]?.input ?? byId('close-yes')).focus();
  });
  byId('close-no').addEventListener('click', () => {
    confirm.hidden = true;
    date.focus();
  });
  confirm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const day = date.value;
    const counted = closeBody(
      counting.rows.map((c) => ({ method: c.method, expected: c.expected, text: c.input.value })),
      counting.currency,
    );
    if (!counted.ok) {
      say(msg, 'err', `Day not closed: ${counted.text} (counted ${counted.method}).`);
      return counting.rows.find((c) => c.method === counted.method)?.input.focus();
    }
    const r = await whileBusy(/** @type {HTMLButtonElement} */ (byId('close-yes')), () => call('POST', `/api/v1/days/${encodeURIComponent(day)}/close`, counted.body));
    confirm.hidden = true;
    if (!r.ok) return say(msg, 'err', `Day not closed: ${r.error?.message}`);
    const what = counted.body ? ' and the drawer count' : '';
    say(msg, 'ok', r.body.duplicate ? `${day} was already closed; nothing changed.` : `${day} is closed: its totals${what} are on their way to head office.`);
    date.focus();
    o.onCaptured();
  });
}
