// Hand-drawn SVG charts (no chart library): one grouped column chart covers every figure of the console.
// Each bar carries its category, series and value as data attributes, so what is drawn can be checked.
import { h, s } from './dom.js';

export const PALETTE = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#2c7a7b', '#975a16', '#4a5568'];

const W = 720;
const M = { top: 14, right: 12, bottom: 56, left: 64 };

/** The smallest 1/2/2.5/5 × 10^k at or above v: round axis ends. */
export function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * categories: x labels; series: [{name, values: number[] (one per category)}]. format: value → axis/tooltip text.
 * hasData: false draws the empty note instead (default: there is at least one category; a zero is a figure).
 * Answers a <figure data-chart=id> holding the SVG and a legend.
 */
export function columnChart({ id, title, categories, series, format = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)), height = 240, empty = 'No data yet.', hasData = categories.length > 0, xLabel = '', yLabel = '' }) {
  const H = height;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const values = series.flatMap((x) => x.values);
  const top = Math.max(0, ...values);
  // Four grid steps; whole numbers get a whole-number step (3 events: 0, 1, 2, 3, 4 rather than 1.25s).
  const max = values.every(Number.isInteger) ? 4 * Math.max(1, Math.ceil(niceMax(top / 4))) : niceMax(top);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart-svg' });

  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = M.top + plotH - (plotH * i) / 4;
    svg.append(
      s('line', { x1: M.left, x2: W - M.right, y1: y, y2: y, class: i === 0 ? 'axis' : 'grid' }),
      s('text', { x: M.left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick', text: format(v) }),
    );
  }

  const n = Math.max(1, categories.length);
  const band = plotW / n;
  const barW = Math.max(1, (band * 0.8) / Math.max(1, series.length));
  const every = Math.max(1, Math.ceil(n / 12));
  categories.forEach((cat, ci) => {
    const x0 = M.left + ci * band + band * 0.1;
    series.forEach((ser, si) => {
      const v = ser.values[ci] ?? 0;
      const bh = (plotH * Math.max(0, v)) / max;
      const bar = s(
        'rect',
        {
          class: 'bar',
          x: x0 + si * barW,
          y: M.top + plotH - bh,
          width: Math.max(1, barW - 1),
          height: bh,
          fill: ser.color ?? PALETTE[si % PALETTE.length],
          'data-category': cat,
          'data-series': ser.name,
          'data-value': v,
        },
        s('title', { text: `${ser.name} · ${cat}: ${format(v)}` }),
      );
      svg.append(bar);
    });
    if (ci % every === 0) {
      const lx = M.left + ci * band + band / 2;
      const ly = H - M.bottom + 14;
      svg.append(s('text', { x: lx, y: ly, 'text-anchor': 'end', transform: `rotate(-30 ${lx} ${ly})`, class: 'tick', text: cat }));
    }
  });
  if (!hasData) svg.append(s('text', { x: W / 2, y: M.top + plotH / 2, 'text-anchor': 'middle', class: 'empty', text: empty }));
  if (xLabel) svg.append(s('text', { x: M.left + plotW / 2, y: H - 4, 'text-anchor': 'middle', class: 'axis-label', text: xLabel }));
  if (yLabel) svg.append(s('text', { x: 12, y: M.top + plotH / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${M.top + plotH / 2})`, class: 'axis-label', text: yLabel }));

  const legend = series.length > 1 || (series[0] && series[0].name)
    ? h('ul', { class: 'legend' }, series.map((ser, si) => h('li', {}, h('span', { class: `swatch c${si % PALETTE.length}` }), ser.name)))
    : null;
  return h('figure', { class: 'chart', 'data-chart': id, 'data-empty': hasData ? 'false' : 'true' }, h('figcaption', { text: title }), svg, legend, hasData ? figures(categories, series, format) : null);
}

/** The chart's numbers as a table under it (folded): exact values for every bar, and what a screen reader reads. */
function figures(categories, series, format) {
  return h(
    'details',
    { class: 'figures' },
    h('summary', { text: 'Figures' }),
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, h('th', { text: '' }), series.map((x) => h('th', { text: x.name || 'value' })))),
      h('tbody', {}, categories.map((c, ci) => h('tr', {}, h('th', { text: c }), series.map((x) => h('td', { class: 'num', text: format(x.values[ci] ?? 0) }))))),
    ),
  );
}

/**
 * At fleet size a chart cannot draw a bar per store: keep the `n` rows with the largest `key`, in their original
 * order, and say how many were left out.
 */
export function topN(rows, key, n) {
  if (rows.length <= n) return { rows, hidden: 0 };
  const keep = new Set([...rows].sort((a, b) => b[key] - a[key]).slice(0, n));
  return { rows: rows.filter((r) => keep.has(r)), hidden: rows.length - n };
}

/**
 * A pivot with at most `n` series: the `n` largest (by total) by name, the rest added up as one "other stores" series.
 */
export function limitSeries(p, n, otherName = 'other stores') {
  if (p.series.length <= n) return p;
  const total = (x) => x.values.reduce((a, v) => a + v, 0);
  const ranked = [...p.series].sort((a, b) => total(b) - total(a));
  const keep = new Set(ranked.slice(0, n));
  const rest = ranked.slice(n);
  const other = { name: `${otherName} (${rest.length})`, values: p.categories.map((_, ci) => rest.reduce((a, x) => a + (x.values[ci] ?? 0), 0)) };
  return { categories: p.categories, series: [...p.series.filter((x) => keep.has(x)), other] };
}

/** How many stores fall in each band of a figure: a distribution that reads the same for 3 stores or 3,000. */
export function distribution(values, bands) {
  return bands.map((b) => values.filter((v) => v >= b.from && (b.to === undefined || v < b.to)).length);
}

/** Rows → one series per distinct `seriesKey`, aligned on the sorted distinct `categoryKey`s. */
export function pivot(rows, categoryKey, seriesKey, valueKey) {
  const categories = [...new Set(rows.map((r) => r[categoryKey]))].sort();
  const names = [...new Set(rows.map((r) => r[seriesKey]))].sort();
  const series = names.map((name) => ({
    name,
    values: categories.map((c) => rows.filter((r) => r[categoryKey] === c && r[seriesKey] === name).reduce((a, r) => a + r[valueKey], 0)),
  }));
  return { categories, series };
}

/** An ISO minute as the viewer's local HH:MM (the API speaks UTC). */
export function minuteLabel(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}
