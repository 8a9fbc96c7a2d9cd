// Small DOM helpers. Data from the API only ever becomes text nodes or attributes, never HTML.

/** h('tr', {class: 'x', 'data-id': 1, onclick: fn}, child, 'text', [more]) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function s(tag, props = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setProps(el, props);
  append(el, children);
  return el;
}

function setProps(el, props) {
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function time(iso) {
  if (!iso) return h('span', { class: 'muted', text: 'never' });
  const d = new Date(iso);
  return h('time', { datetime: iso, title: d.toISOString(), text: `${ago(d)} (${d.toLocaleString()})` });
}

export function ago(d) {
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  if (s < 5) return 'just now';
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export function money(minor, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

export function badge(ok, yes, no) {
  return h('span', { class: `badge ${ok ? 'ok' : 'bad'}`, text: ok ? yes : no });
}

/** A table with a header row; rows are <tr> elements. Empty: one row saying so. */
export function table(columns, rows, empty = 'Nothing here.') {
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { text: c })))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: columns.length, class: 'muted', text: empty }))),
  );
}

/** The place a view says "this part is not there yet" without inventing anything. */
export function unavailable(what, why) {
  return h('div', { class: 'unavailable', 'data-unavailable': what }, h('strong', { text: `${what}: unavailable. ` }), why);
}
