// Open picks: reservations head office sent down. Pick (scan or type quantities), confirm, hand over.
import { call } from './api.js';
import { byId, el, say, shortTime, whileBusy } from './dom.js';
import { nameCache } from './items.js';
import { confirmBody, groupPicks, initialPicked, pickOutcome, scanItem } from './picks-rules.js';

const STATE_TEXT = {
  delivered: 'To pick',
  picked: 'Picked: waiting for the customer',
  short_picked: 'Short picked: waiting for the customer',
};

export function picksScreen(/** @type {{ onCaptured: () => void }} */ o) {
  const msg = byId('picks-msg');
  const names = nameCache();
  const skuCell = (/** @type {string} */ sku) => el('td', {}, sku, names.get(sku) ? el('span', { class: 'name', text: names.get(sku) }) : null);
  /** What is on screen, so a refresh that changes nothing does not rebuild the cards. */
  let shown = '';
  /** Newest load wins: an older answer arriving late must not paint over a newer one. */
  let generation = 0;
  /** What was picked so far per reservation, kept across refreshes so new picks arriving never wipe it. */
  /** @type {Map<string, { picked: number[], typed: boolean[] }>} */
  const drafts = new Map();

  /** @param {import('./picks-rules.js').Pick} pick */
  const pickCard = (pick) => {
    const draft = drafts.get(pick.reservationId) ?? { picked: initialPicked(pick), typed: pick.lines.map(() => false) };
    drafts.set(pick.reservationId, draft);
    let picked = draft.picked;
    const keep = () => {
      draft.picked = picked;
    };
    // A typed quantity is allowed (a damaged barcode) but marked, so a check at the counter knows it was not scanned.
    const typedMarks = pick.lines.map((l, i) => el('span', { class: 'typed', 'data-testid': `typed-${l.sku}`, text: 'typed', hidden: !draft.typed[i] }));
    const cardMsg = el('p', { class: 'msg', 'aria-live': 'polite' });
    const inputs = pick.lines.map((l, i) =>
      el('input', {
        type: 'number',
        min: '0',
        max: String(l.qty),
        step: '1',
        value: String(picked[i]),
        'aria-label': `Picked ${l.sku} for ${pick.orderId}`,
        oninput: (/** @type {Event} */ e) => {
          picked = picked.map((n, j) => (j === i ? Number(/** @type {HTMLInputElement} */ (e.target).value) : n));
          draft.typed[i] = true;
          /** @type {HTMLElement} */ (typedMarks[i]).hidden = false;
          keep();
          refreshButton();
        },
      }),
    );
    const confirmBtn = /** @type {HTMLButtonElement} */ (el('button', { type: 'button', class: 'primary' }));
    const refreshButton = () => {
      const out = pickOutcome(pick, picked);
      confirmBtn.textContent = out.status === 'short_picked' ? `Confirm short pick for ${pick.orderId}` : `Confirm picked ${pick.orderId}`;
    };
    refreshButton();

    confirmBtn.addEventListener('click', async () => {
      const out = pickOutcome(pick, picked);
      if (out.error) return say(cardMsg, 'err', out.error);
      const r = await whileBusy(confirmBtn, () => call('POST', `/api/v1/picks/${encodeURIComponent(pick.reservationId)}/confirm`, confirmBody(pick, picked)));
      if (!r.ok) return say(cardMsg, 'err', `Not confirmed: ${r.error?.message}`);
      drafts.delete(pick.reservationId);
      o.onCaptured();
      await load(true);
      const missing = out.short.map((s) => `${s.missing} × ${s.sku}`).join(', ');
      say(msg, out.short.length ? 'warn' : 'ok', out.short.length ? `${pick.orderId} short picked (missing ${missing}): head office is told.` : `${pick.orderId} picked: keep it for the customer.`);
    });

    const scan = el(
      'form',
      { class: 'scanline', autocomplete: 'off' },
      el('label', { class: 'grow' }, `Scan items for ${pick.orderId}`, el('input', { name: 'sku', maxlength: '128', spellcheck: 'false', 'data-scan': true })),
      el('button', { type: 'submit', text: 'Add' }),
    );
    scan.addEventListener('submit', (e) => {
      e.preventDefault();
      const input = /** @type {HTMLInputElement} */ (scan.querySelector('input'));
      const sku = input.value.trim();
      input.value = '';
      if (!sku) return;
      const r = scanItem(pick, picked, sku);
      picked = r.picked;
      keep();
      inputs.forEach((inp, i) => (/** @type {HTMLInputElement} */ (inp).value = String(picked[i] ?? 0)));
      refreshButton();
      if (r.error) say(cardMsg, 'err', r.error);
      else say(cardMsg, 'ok', `${sku}: ${picked[pick.lines.findIndex((l) => l.sku === sku)]} picked`);
    });

    return el(
      'article',
      { class: 'card', 'data-status': pick.status, 'data-reservation': pick.reservationId, 'aria-label': `Order ${pick.orderId}` },
      el('h3', { text: `Order ${pick.orderId}` }),
      el('p', { class: 'meta', text: `Reservation ${pick.reservationId} · received ${shortTime(pick.createdAt)}${pick.expiresAt ? ` · collect by ${shortTime(pick.expiresAt)}` : ''}` }),
      el('p', { class: 'state', text: STATE_TEXT[/** @type {keyof typeof STATE_TEXT} */ (pick.status)] ?? pick.status }),
      scan,
      el(
        'table',
        { class: 'lines' },
        el('thead', {}, el('tr', {}, el('th', { text: 'SKU' }), el('th', { class: 'num', text: 'Ordered' }), el('th', { class: 'num', text: 'Picked' }))),
        el('tbody', {}, ...pick.lines.map((l, i) => el('tr', {}, skuCell(l.sku), el('td', { class: 'num', text: String(l.qty) }), el('td', { class: 'num' }, inputs[i], typedMarks[i])))),
      ),
      el('div', { class: 'actions' }, confirmBtn),
      cardMsg,
    );
  };

  /** @param {import('./picks-rules.js').Pick} pick */
  const waitingCard = (pick) => {
    const cardMsg = el('p', { class: 'msg', 'aria-live': 'polite' });
    const handover = /** @type {HTMLButtonElement} */ (el('button', { type: 'button', class: 'primary', text: `Hand over ${pick.orderId}` }));
    handover.addEventListener('click', async () => {
      const r = await whileBusy(handover, () => call('POST', `/api/v1/picks/${encodeURIComponent(pick.reservationId)}/handover`));
      if (!r.ok) return say(cardMsg, 'err', `Not handed over: ${r.error?.message}`);
      o.onCaptured();
      await load(true);
      say(msg, 'ok', `${pick.orderId} handed over to the customer.`);
    });
    return el(
      'article',
      { class: 'card', 'data-status': pick.status, 'data-reservation': pick.reservationId, 'aria-label': `Order ${pick.orderId}` },
      el('h3', { text: `Order ${pick.orderId}` }),
      el('p', { class: 'meta', text: `Reservation ${pick.reservationId}${pick.expiresAt ? ` · collect by ${shortTime(pick.expiresAt)}` : ''}` }),
      el('p', { class: 'state', text: STATE_TEXT[/** @type {keyof typeof STATE_TEXT} */ (pick.status)] ?? pick.status }),
      el(
        'table',
        { class: 'lines' },
        el('thead', {}, el('tr', {}, el('th', { text: 'SKU' }), el('th', { class: 'num', text: 'Ordered' }), el('th', { class: 'num', text: 'Picked' }))),
        el('tbody', {}, ...pick.lines.map((l) => el('tr', {}, skuCell(l.sku), el('td', { class: 'num', text: String(l.qty) }), el('td', { class: 'num', text: String(l.pickedQty ?? '–') })))),
      ),
      el('div', { class: 'actions' }, handover),
      cardMsg,
    );
  };

  /** @param {boolean} [force] re-render even when the same picks are open */
  async function load(force = false) {
    const mine = ++generation;
    const r = await call('GET', '/api/v1/picks?limit=200');
    if (mine !== generation) return;
    if (!r.ok) {
      say(msg, 'err', `Could not load picks: ${r.error?.message}`);
      return;
    }
    /** @type {import('./picks-rules.js').Pick[]} */
    const items = r.body.items ?? [];
    const key = items.map((p) => `${p.reservationId}:${p.status}`).join('|');
    if (!force && key === shown) return;
    await names.load(items.flatMap((p) => p.lines.map((l) => l.sku)));
    if (mine !== generation) return;
    shown = key;
    const g = groupPicks(items);
    for (const id of drafts.keys()) if (!g.toPick.some((p) => p.reservationId === id)) drafts.delete(id);
    byId('picks-to-pick').replaceChildren(...(g.toPick.length ? g.toPick.map(pickCard) : [el('p', { class: 'empty', text: 'Nothing to pick right now.' })]));
    byId('picks-waiting').replaceChildren(...(g.waiting.length ? g.waiting.map(waitingCard) : [el('p', { class: 'empty', text: 'No orders waiting for collection.' })]));
  }

  byId('picks-refresh').addEventListener('click', () => {
    say(msg, '', '');
    void load(true);
  });
  return { load };
}
