// Tiny DOM helpers: build elements from data (textContent only, never HTML strings) and show messages.

/** @param {string} id */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} missing from index.html`);
  return /** @type {any} */ (node);
}

/**
 * @param {string} tag
 * @param {Record<string, any>} [props]  attributes; `text` sets textContent, `on*` functions become listeners
 * @param {...(Node | string | null | undefined | false)} children
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== 'string') /** @type {any} */ (node)[k] = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/**
 * @param {HTMLElement} node
 * @param {'ok' | 'err' | 'warn' | ''} kind
 * @param {string} text
 */
export function say(node, kind, text) {
  node.className = `msg ${kind}`;
  node.textContent = text;
}

/**
 * Disables a button while a request runs, so a double tap cannot send twice.
 * @template T
 * @param {HTMLButtonElement | null} button
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function whileBusy(button, work) {
  if (button) button.disabled = true;
  try {
    return await work();
  } finally {
    if (button) button.disabled = false;
  }
}

/** Today's date on this PC (the store's business day), as YYYY-MM-DD. */
export function localToday() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** @param {string | null} iso */
export function shortTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
