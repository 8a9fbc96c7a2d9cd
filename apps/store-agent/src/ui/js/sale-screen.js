// Sale entry for stores without an integrated till: scan, see the total, take payment, save.
import { call } from './api.js';
import { addLine, cartTotal, changeDue, documentId, itemCount, lineTotal, setQty } from './cart.js';
import { byId, el, say, whileBusy } from './dom.js';
import { lookUp } from './items.js';
import { formatMoney, parseMoney } from './money.js';

/**
 * @param {{ currency: string, onCaptured: () => void }} o
 */
export function saleScreen(o) {
  const add = /** @type {HTMLFormElement} */ (byId('sale-add'));
  const pay = /** @type {HTMLFormElement} */ (byId('sale-pay'));
  const msg = byId('sale-msg');
  const field = (/** @type {HTMLFormElement} */ f, /** @type {string} */ n) => /** @type {HTMLInputElement} */ (f.elements.namedItem(n));
  const money = (/** @type {number} */ n) => formatMoney(n, o.currency);
  /** @type {import('./cart.js').CartLine[]} */
  let lines = [];
  /** Kept until the sale is saved: a retry after a lost answer sends the same id, so nothing is captured twice. */
  let transactionId = /** @type {string | null} */ (null);

  const render = () => {
    const body = byId('sale-lines');
    body.replaceChildren(
      ...lines.map((l, i) =>
        el(
          'tr',
          {},
          el('td', { text: l.sku }),
          el('td', { text: l.name ?? '' }),
          el(
            'td',
            { class: 'num' },
            el('input', {
              type: 'number',
              min: '0',
              step: '1',
              value: String(l.qty),
              'aria-label': `Quantity of ${l.sku}`,
              onchange: (/** @type {Event} */ e) => {
                lines = setQty(lines, i, Number(/** @type {HTMLInputElement} */ (e.target).value));
                render();
              },
            }),
          ),
          el('td', { class: 'num', text: money(l.unitPrice) }),
          el('td', { class: 'num', text: money(lineTotal(l)) }),
          el('td', {}, el('button', { type: 'button', class: 'small', text: 'Remove', 'aria-label': `Remove ${l.sku}`, onclick: () => ((lines = setQty(lines, i, 0)), render()) })),
        ),
      ),
    );
    byId('sale-empty').hidden = lines.length > 0;
    byId('sale-total').textContent = lines.length ? `${money(cartTotal(lines))} (${itemCount(lines)} item${itemCount(lines) === 1 ? '' : 's'})` : money(0);
    renderChange();
  };

  const renderChange = () => {
    const cash = field(pay, 'method').value === 'cash';
    byId('sale-given-label').hidden = !cash;
    const out = byId('sale-change');
    const given = parseMoney(field(pay, 'given').value, o.currency);
    const change = cash && given !== null && lines.length ? changeDue(cartTotal(lines), given) : null;
    out.textContent = change === null ? '' : `Change: ${money(change)}`;
  };
  pay.addEventListener('input', renderChange);

  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    const sku = field(add, 'sku').value.trim();
    const qty = Number(field(add, 'qty').value);
    const priceText = field(add, 'price').value.trim();
    if (!sku) return;
    if (!Number.isInteger(qty) || qty < 1) return say(msg, 'err', 'Quantity must be a whole number of at least 1.');
    let unitPrice = priceText ? parseMoney(priceText, o.currency) : null;
    if (priceText && unitPrice === null) return say(msg, 'err', `"${priceText}" is not a price: type it like 4.50.`);
    const found = await lookUp(sku);
    if (found.error) return say(msg, 'err', `Could not look up ${sku}: ${found.error}`);
    if (unitPrice === null) {
      if (!found.item) {
        say(msg, 'err', `${sku} is not in the item master. Check the code, or type its price and press Enter to sell it anyway.`);
        field(add, 'price').focus();
        return;
      }
      if (found.item.currency !== o.currency) return say(msg, 'err', `${sku} is priced in ${found.item.currency}, this store sells in ${o.currency}: type the price.`);
      unitPrice = found.item.price;
    }
    lines = addLine(lines, { sku, name: found.item?.name ?? null, qty, unitPrice });
    say(msg, 'ok', `Added ${qty} × ${found.item?.name ?? sku}`);
    add.reset();
    render();
    field(add, 'sku').focus();
  });

  byId('sale-clear').addEventListener('click', () => {
    lines = [];
    transactionId = null;
    pay.reset();
    say(msg, '', '');
    render();
    field(add, 'sku').focus();
  });

  pay.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!lines.length) return say(msg, 'err', 'Add at least one item before completing the sale.');
    const total = cartTotal(lines);
    const method = field(pay, 'method').value;
    const givenText = field(pay, 'given').value.trim();
    const given = givenText ? parseMoney(givenText, o.currency) : null;
    if (method === 'cash' && givenText && (given === null || given < total)) {
      return say(msg, 'err', `Cash given must cover the total of ${money(total)}.`);
    }
    transactionId ??= documentId('UI', Date.now());
    const body = {
      transactionId,
      lines: lines.map((l) => ({ sku: l.sku, qty: l.qty, unitPrice: l.unitPrice })),
      tenders: [{ method, amount: total }],
    };
    const r = await whileBusy(/** @type {HTMLButtonElement} */ (byId('sale-complete')), () => call('POST', '/api/v1/sales', body));
    if (!r.ok) return say(msg, 'err', `Sale not saved (the items are still here): ${r.error?.message}`);
    const change = method === 'cash' && given !== null ? changeDue(total, given) : null;
    say(
      msg,
      'ok',
      `${r.body.duplicate ? 'Sale was already saved' : 'Sale saved'}: ${transactionId}, ${money(total)} by ${method}${change ? `. Give ${money(change)} change` : ''}.`,
    );
    lines = [];
    transactionId = null;
    pay.reset();
    render();
    field(add, 'sku').focus();
    o.onCaptured();
  });

  render();
}
