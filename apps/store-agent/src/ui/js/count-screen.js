// Cycle count: scan or type, review against the till's stock picture, submit.
import { call } from './api.js';
import { documentId } from './cart.js';
import { addCount, isLargeVariance, removeCount, reviewRows, setCount } from './count-sheet.js';
import { byId, el, say, whileBusy } from './dom.js';
import { lookUp } from './items.js';

/**
 * @param {{ onCaptured: () => void }} o
 */
export function countScreen(o) {
  const add = /** @type {HTMLFormElement} */ (byId('count-add'));
  const msg = byId('count-msg');
  const field = (/** @type {string} */ n) => /** @type {HTMLInputElement} */ (add.elements.namedItem(n));
  /** @type {import('./count-sheet.js').CountLine[]} */
  let lines = [];
  /** @type {Map<string, string>} */
  const names = new Map();
  let countId = /** @type {string | null} */ (null);
  /** Review rows with a large difference and the box the associate ticks after recounting each. */
  /** @type {{ sku: string, text: string, box: HTMLInputElement }[]} */
  let toConfirm = [];

  const render = () => {
    byId('count-lines').replaceChildren(
      ...lines.map((l) =>
        el(
          'tr',
          {},
          el('td', { text: l.sku }),
          el('td', { text: names.get(l.sku) ?? '' }),
          el(
            'td',
            { class: 'num' },
            el('input', {
              type: 'number',
              min: '0',
              step: '1',
              value: String(l.countedQty),
              'aria-label': `Counted ${l.sku}`,
              onchange: (/** @type {Event} */ e) => {
                lines = setCount(lines, l.sku, Number(/** @type {HTMLInputElement} */ (e.target).value));
                render();
              },
            }),
          ),
          el('td', {}, el('button', { type: 'button', class: 'small', text: 'Remove', 'aria-label': `Remove ${l.sku}`, onclick: () => ((lines = removeCount(lines, l.sku)), render()) })),
        ),
      ),
    );
  };
  const mode = (/** @type {boolean} */ reviewing) => {
    byId('count-entry').hidden = reviewing;
    byId('count-reviewing').hidden = !reviewing;
  };

  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    const sku = field('sku').value.trim();
    const qty = Number(field('qty').value);
    if (!sku) return;
    if (!Number.isInteger(qty) || qty < 0) return say(msg, 'err', 'Quantity must be a whole number, 0 or more.');
    const found = await lookUp(sku);
    if (found.item) names.set(sku, found.item.name);
    lines = addCount(lines, sku, qty);
    const now = lines.find((l) => l.sku === sku)?.countedQty ?? qty;
    say(msg, found.item ? 'ok' : 'warn', found.item ? `${found.item.name}: ${now} counted` : `${sku}: ${now} counted (not in the item master: check the code)`);
    field('sku').value = '';
    field('qty').value = '1';
    render();
    field('sku').focus();
  });

  byId('count-review').addEventListener('click', async () => {
    if (!lines.length) return say(msg, 'err', 'Count at least one item first.');
    /** @type {Map<string, number>} */
    const onHand = new Map();
    for (const l of lines) {
      const r = await call('GET', `/api/v1/stock?sku=${encodeURIComponent(l.sku)}`);
      const row = r.ok ? r.body?.items?.[0] : null;
      if (row) onHand.set(l.sku, row.onHand);
    }
    toConfirm = [];
    byId('count-review-lines').replaceChildren(
      ...reviewRows(lines, onHand).map((row) => {
        const diffText = row.difference === null ? '–' : row.difference > 0 ? `+${row.difference}` : String(row.difference);
        const large = isLargeVariance(row);
        const box = /** @type {HTMLInputElement} */ (el('input', { type: 'checkbox', 'aria-label': `I recounted ${row.sku}: ${diffText} is right` }));
        if (large) toConfirm.push({ sku: row.sku, text: diffText, box });
        return el(
          'tr',
          large ? { class: 'large-variance' } : {},
          el('td', { text: row.sku }),
          el('td', { class: 'num', text: String(row.countedQty) }),
          el('td', { class: 'num', text: row.expected === null ? 'unknown' : String(row.expected) }),
          el('td', { class: 'num' }, diffText, large ? el('label', { class: 'confirm-variance' }, box, ' recounted, it is right') : null),
        );
      }),
    );
    if (toConfirm.length) say(msg, 'warn', `Large difference for ${toConfirm.map((c) => `${c.sku} (${c.text})`).join(', ')}: recount, then tick to confirm, or go back and correct it.`);
    else say(msg, '', '');
    mode(true);
    byId('count-submit').focus();
  });

  byId('count-back').addEventListener('click', () => {
    mode(false);
    field('sku').focus();
  });

  byId('count-submit').addEventListener('click', async () => {
    const open = toConfirm.filter((c) => !c.box.checked);
    if (open.length) return say(msg, 'err', `Not submitted: confirm the large difference for ${open.map((c) => `${c.sku} (${c.text})`).join(', ')} after recounting, or go back and correct it.`);
    countId ??= documentId('CNT', Date.now());
    const body = { countId, kind: 'cycle', lines };
    const r = await whileBusy(/** @type {HTMLButtonElement} */ (byId('count-submit')), () => call('POST', '/api/v1/counts', body));
    if (!r.ok) return say(msg, 'err', `Count not saved (your sheet is kept): ${r.error?.message}`);
    say(msg, 'ok', `${r.body.duplicate ? 'Count was already submitted' : 'Count submitted'}: ${countId}, ${lines.length} SKU${lines.length === 1 ? '' : 's'}.`);
    lines = [];
    countId = null;
    render();
    mode(false);
    field('sku').focus();
    o.onCaptured();
  });

  render();
}
