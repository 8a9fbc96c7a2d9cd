// Returns: what came back, why, where it goes (shelf, damaged, quarantine) and the refund.
import { call } from './api.js';
import { cartTotal, documentId, lineTotal } from './cart.js';
import { byId, el, say, whileBusy } from './dom.js';
import { lookUp } from './items.js';
import { formatMoney, parseMoney } from './money.js';

const DISPOSITION_TEXT = { restock: 'Back on the shelf', damaged: 'Damaged stock', quarantine: 'Quarantine' };

/**
 * @param {{ currency: string, onCaptured: () => void }} o
 */
export function returnScreen(o) {
  const add = /** @type {HTMLFormElement} */ (byId('return-add'));
  const submit = /** @type {HTMLFormElement} */ (byId('return-submit'));
  const msg = byId('return-msg');
  const field = (/** @type {HTMLFormElement} */ f, /** @type {string} */ n) => /** @type {HTMLInputElement} */ (f.elements.namedItem(n));
  const money = (/** @type {number} */ n) => formatMoney(n, o.currency);
  /** @type {{ sku: string, name: string | null, qty: number, unitPrice: number, reasonCode: string, reasonText: string, disposition: string }[]} */
  let lines = [];
  let returnId = /** @type {string | null} */ (null);

  const render = () => {
    byId('return-lines').replaceChildren(
      ...lines.map((l, i) =>
        el(
          'tr',
          {},
          el('td', { text: l.sku }),
          el('td', { text: l.name ?? '' }),
          el('td', { class: 'num', text: String(l.qty) }),
          el('td', { text: l.reasonText }),
          el('td', { text: DISPOSITION_TEXT[/** @type {keyof typeof DISPOSITION_TEXT} */ (l.disposition)] ?? l.disposition }),
          el('td', { class: 'num', text: money(lineTotal(l)) }),
          el('td', {}, el('button', { type: 'button', class: 'small', text: 'Remove', 'aria-label': `Remove ${l.sku}`, onclick: () => ((lines = lines.filter((_, j) => j !== i)), render()) })),
        ),
      ),
    );
    byId('return-total').textContent = money(cartTotal(lines));
  };

  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    const sku = field(add, 'sku').value.trim();
    const qty = Number(field(add, 'qty').value);
    const priceText = field(add, 'price').value.trim();
    const reason = /** @type {HTMLSelectElement} */ (/** @type {unknown} */ (field(add, 'reason')));
    if (!sku) return;
    if (!Number.isInteger(qty) || qty < 1) return say(msg, 'err', 'Quantity must be a whole number of at least 1.');
    let unitPrice = priceText ? parseMoney(priceText, o.currency) : null;
    if (priceText && unitPrice === null) return say(msg, 'err', `"${priceText}" is not an amount: type it like 4.50.`);
    const found = await lookUp(sku);
    if (found.error) return say(msg, 'err', `Could not look up ${sku}: ${found.error}`);
    if (unitPrice === null) {
      if (!found.item || found.item.currency !== o.currency) {
        say(msg, 'err', `${sku} has no price in the item master: type the refund for one item and press Enter.`);
        field(add, 'price').focus();
        return;
      }
      unitPrice = found.item.price;
    }
    lines = [
      ...lines,
      {
        sku,
        name: found.item?.name ?? null,
        qty,
        unitPrice,
        reasonCode: reason.value,
        reasonText: reason.selectedOptions[0]?.textContent ?? reason.value,
        disposition: field(add, 'disposition').value,
      },
    ];
    say(msg, 'ok', `Added ${qty} × ${found.item?.name ?? sku}`);
    field(add, 'sku').value = '';
    field(add, 'qty').value = '1';
    field(add, 'price').value = '';
    render();
    field(add, 'sku').focus();
  });

  byId('return-clear').addEventListener('click', () => {
    lines = [];
    returnId = null;
    submit.reset();
    say(msg, '', '');
    render();
  });

  submit.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!lines.length) return say(msg, 'err', 'Add at least one returned item first.');
    const original = field(submit, 'original').value.trim();
    returnId ??= documentId('RET', Date.now());
    const body = {
      returnId,
      ...(original ? { originalTransactionId: original } : {}),
      lines: lines.map((l) => ({ sku: l.sku, qty: l.qty, refundAmount: lineTotal(l), reasonCode: l.reasonCode, disposition: l.disposition })),
    };
    const r = await whileBusy(submit.querySelector('button[type="submit"]'), () => call('POST', '/api/v1/returns', body));
    if (!r.ok) return say(msg, 'err', `Return not saved (the items are still here): ${r.error?.message}`);
    say(msg, 'ok', `${r.body.duplicate ? 'Return was already saved' : 'Return saved'}: ${returnId}. Refund ${money(cartTotal(lines))}.`);
    lines = [];
    returnId = null;
    submit.reset();
    render();
    field(add, 'sku').focus();
    o.onCaptured();
  });

  render();
}
