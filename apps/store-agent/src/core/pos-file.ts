/**
 * POS export files (dropped in `<data-dir>/inbox/`) parsed and validated into the same bodies as the local API's
 * `POST /sales` and `POST /returns`. Pure: text in, documents or line-numbered errors out. The watcher
 * (inbox.ts) decides what happens to the file.
 *
 * JSON: `{"sales": [SaleBody...], "returns": [ReturnBody...]}`, or an array of sale bodies, or one sale body.
 *
 * CSV (header row first, columns in any order, names matched loosely, unknown columns ignored, `,` or `;`; an
 * import profile (pos-profile.ts) can rename columns and change the delimiter, money units and date format):
 *   type              `sale` (default when the column or the cell is empty) or `return`
 *   transactionId     the POS document id (the return's own id for a return): rows sharing it make ONE document
 *   sku, qty          a line of the document (a row without sku carries no line)
 *   unitPrice, taxAmount            sale line money, integer minor units (450 = 4.50) unless the profile says major
 *   refundAmount, reasonCode, disposition (restock|damaged|quarantine)   return line
 *   tenderMethod, tenderAmount      a tender of a sale (a row may carry a line, a tender, or both)
 *   currency, businessDate, originalTransactionId    per document; rows of one document must agree
 */
import { agentApi } from '@outpost/shared';
import { headerKey, parseCsv, type CsvRow } from './pos-file-csv.js';
import { DEFAULT_PROFILE, MONEY_FIELDS, POS_FIELDS, POS_PROFILE_DIR, parseDate, parseMoney, type PosField, type PosProfile } from './pos-profile.js';

/** Bigger files are refused whole: a POS export of one shift is far smaller, this is a runaway or a wrong file. */
export const MAX_POS_FILE_BYTES = 32 * 1024 * 1024;

/** A rejection lists at most this many problems (then how many more there were). */
export const MAX_REPORTED_ERRORS = 50;

export type PosDocument =
  | { kind: 'sale'; body: agentApi.SaleBody; where: string }
  | { kind: 'return'; body: agentApi.ReturnBody; where: string };

export interface PosFileError {
  /** 1-based line of the file (CSV), or null when the format has no useful line (JSON: see `at`). */
  line: number | null;
  /** Where in the document: `sales[2].lines[0].qty` (JSON) or the column name (CSV). */
  at: string;
  transactionId: string | null;
  message: string;
}

export type PosFileResult = { ok: true; documents: PosDocument[] } | { ok: false; errors: PosFileError[] };

export type PosFormat = 'json' | 'csv';

export function posFormatOf(fileName: string): PosFormat | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv')) return 'csv';
  return null;
}

/** `text` is already decoded (pos-decode.ts); the profile says how to read a CSV (JSON is Outpost's own shape). */
export function parsePosFile(format: PosFormat, text: string, profile: PosProfile = DEFAULT_PROFILE): PosFileResult {
  const r = format === 'json' ? parseJsonFile(text) : parseCsvFile(text, profile);
  if (!r.ok) return r;
  if (r.documents.length === 0) return fail(null, '', null, 'the file holds no sale or return');
  const dup = firstDuplicate(r.documents);
  if (dup) return fail(null, dup.where, dup.id, `${dup.kind} ${dup.id} appears twice in this file`);
  return r;
}

function fail(line: number | null, at: string, transactionId: string | null, message: string): PosFileResult {
  return { ok: false, errors: [{ line, at, transactionId, message }] };
}

function firstDuplicate(docs: PosDocument[]): { kind: string; id: string; where: string } | null {
  const seen = new Set<string>();
  for (const d of docs) {
    const id = d.kind === 'sale' ? d.body.transactionId : d.body.returnId;
    const key = `${d.kind}\u0000${id}`;
    if (seen.has(key)) return { kind: d.kind, id, where: d.where };
    seen.add(key);
  }
  return null;
}

function pathText(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : `${s}${s ? '.' : ''}${String(p)}`), base);
}

// ---- JSON

function parseJsonFile(text: string): PosFileResult {
  let data: unknown;
  try {
    data = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : (Number(/line (\d+)/.exec(msg)?.[1]) || null);
    return fail(line, '', null, `not valid JSON: ${msg}`);
  }
  let sales: unknown[] = [];
  let returns: unknown[] = [];
  let salesBase = 'sales';
  if (Array.isArray(data)) {
    sales = data;
    salesBase = '';
  } else if (data && typeof data === 'object' && ('sales' in data || 'returns' in data)) {
    const o = data as { sales?: unknown; returns?: unknown };
    if (o.sales !== undefined && !Array.isArray(o.sales)) return fail(null, 'sales', null, 'sales must be an array');
    if (o.returns !== undefined && !Array.isArray(o.returns)) return fail(null, 'returns', null, 'returns must be an array');
    sales = (o.sales as unknown[] | undefined) ?? [];
    returns = (o.returns as unknown[] | undefined) ?? [];
  } else if (data && typeof data === 'object') {
    sales = [data];
    salesBase = '';
  } else {
    return fail(null, '', null, 'expected {"sales": [...], "returns": [...]}, an array of sales or one sale');
  }
  const documents: PosDocument[] = [];
  const errors: PosFileError[] = [];
  sales.forEach((raw, i) => {
    const where = salesBase ? `${salesBase}[${i}]` : sales.length === 1 && !Array.isArray(data) ? '' : `[${i}]`;
    const r = agentApi.saleBody.safeParse(raw);
    if (r.success) documents.push({ kind: 'sale', body: r.data, where });
    else for (const iss of r.error.issues) errors.push({ line: null, at: pathText(where, iss.path), transactionId: idOf(raw, 'transactionId'), message: iss.message });
  });
  returns.forEach((raw, i) => {
    const where = `returns[${i}]`;
    const r = agentApi.returnBody.safeParse(raw);
    if (r.success) documents.push({ kind: 'return', body: r.data, where });
    else for (const iss of r.error.issues) errors.push({ line: null, at: pathText(where, iss.path), transactionId: idOf(raw, 'returnId'), message: iss.message });
  });
  return errors.length ? { ok: false, errors } : { ok: true, documents };
}

function idOf(raw: unknown, key: string): string | null {
  const v = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : null;
}

// ---- CSV

const LOOSE: ReadonlyMap<string, PosField> = new Map(POS_FIELDS.map((f) => [headerKey(f), f]));
const QTY: PosField = 'qty';
const PER_DOCUMENT: readonly PosField[] = ['currency', 'businessDate', 'originalTransactionId'];

/** A document being assembled from its rows; rows remember which line of the file they came from. */
interface Draft {
  kind: 'sale' | 'return';
  id: string;
  firstLine: number;
  fields: Partial<Record<PosField, string>>;
  lines: { line: number; value: Record<string, unknown> }[];
  tenders: { line: number; value: Record<string, unknown> }[];
}

/** The till's header → column index of each of Outpost's fields: the profile's names first, then Outpost's own. */
function columnIndex(header: string[], profile: PosProfile): Map<PosField, number> {
  const mapped = new Map(Object.entries(profile.columns).map(([till, field]) => [headerKey(till), field]));
  const index = new Map<PosField, number>();
  header.forEach((name, i) => {
    const field = mapped.get(headerKey(name)) ?? LOOSE.get(headerKey(name));
    if (field && !index.has(field)) index.set(field, i);
  });
  return index;
}

function parseCsvFile(text: string, profile: PosProfile): PosFileResult {
  const csv = parseCsv(text, profile.delimiter);
  if (!csv.ok) return fail(csv.line, '', null, csv.message);
  const [header, ...rows] = csv.rows;
  if (!header) return fail(null, '', null, 'the file is empty');
  const index = columnIndex(header.cells, profile);
  if (!index.has('transactionId') && profile.defaults.transactionId === undefined) {
    const seen = header.cells.map((c) => JSON.stringify(c)).join(', ');
    const hint = profile.name === DEFAULT_PROFILE.name ? `; if this till names it otherwise, map it in an import profile (${POS_PROFILE_DIR}/*.json, "columns")` : ` in profile ${profile.name}`;
    return fail(header.line, 'transactionId', null, `the header row has no transactionId column (it has ${seen})${hint}`);
  }

  const drafts = new Map<string, Draft>();
  const errors: PosFileError[] = [];
  for (const row of rows) errors.push(...addRow(row, index, profile, drafts));
  if (errors.length) return bounded(errors);

  const documents: PosDocument[] = [];
  for (const d of drafts.values()) {
    const body: Record<string, unknown> = { ...(d.kind === 'sale' ? { transactionId: d.id } : { returnId: d.id }), lines: d.lines.map((l) => l.value) };
    if (d.kind === 'sale') body.tenders = d.tenders.map((t) => t.value);
    for (const col of PER_DOCUMENT) if (d.fields[col] !== undefined && (col !== 'originalTransactionId' || d.kind === 'return')) body[col] = d.fields[col];
    const r = d.kind === 'sale' ? agentApi.saleBody.safeParse(body) : agentApi.returnBody.safeParse(body);
    if (r.success) {
      const where = `line ${d.firstLine}`;
      documents.push(d.kind === 'sale' ? { kind: 'sale', body: r.data as agentApi.SaleBody, where } : { kind: 'return', body: r.data as agentApi.ReturnBody, where });
      continue;
    }
    for (const iss of r.error.issues) {
      // Point at the row that produced the failing line or tender, not just at the document.
      const [head, n, field] = iss.path;
      const from = head === 'lines' && typeof n === 'number' ? d.lines[n]?.line : head === 'tenders' && typeof n === 'number' ? d.tenders[n]?.line : undefined;
      const at = head === 'tenders' && typeof field === 'string' ? `tender${field[0]!.toUpperCase()}${field.slice(1)}` : typeof field === 'string' ? field : String(head ?? '');
      errors.push({ line: from ?? d.firstLine, at, transactionId: d.id, message: iss.message });
    }
  }
  return errors.length ? bounded(errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) : { ok: true, documents };
}

/** Every problem is listed up to a bound; a file wrong on every line says so once instead of ten thousand times. */
function bounded(errors: PosFileError[]): PosFileResult {
  if (errors.length <= MAX_REPORTED_ERRORS) return { ok: false, errors };
  const more = errors.length - MAX_REPORTED_ERRORS;
  return { ok: false, errors: [...errors.slice(0, MAX_REPORTED_ERRORS), { line: null, at: '', transactionId: null, message: `${more} more problem(s) not listed` }] };
}

/** One row into its document's draft; returns every problem the row has (none: it was added). */
function addRow(row: CsvRow, index: Map<PosField, number>, profile: PosProfile, drafts: Map<string, Draft>): PosFileError[] {
  const cell = (c: PosField): string | undefined => {
    const i = index.get(c);
    const v = i === undefined ? undefined : row.cells[i];
    return v === undefined || v === '' ? profile.defaults[c] : v;
  };
  const id = cell('transactionId');
  const errors: PosFileError[] = [];
  const err = (at: string, message: string) => errors.push({ line: row.line, at, transactionId: id ?? null, message });
  if (id === undefined) err('transactionId', 'transactionId is empty');
  const type = (cell('type') ?? 'sale').toLowerCase();
  if (type !== 'sale' && type !== 'return') err('type', `type must be sale or return, got ${JSON.stringify(type)}`);
  const num: Partial<Record<PosField, number>> = {};
  for (const c of [QTY, ...MONEY_FIELDS]) {
    const v = cell(c);
    if (v === undefined) continue;
    if (c === QTY) {
      if (/^-?\d+$/.test(v)) num[c] = Number(v);
      else err(c, `qty must be a whole number, got ${JSON.stringify(v)}`);
      continue;
    }
    const m = parseMoney(v, profile);
    if (m.ok) num[c] = m.value;
    else err(c, `${c} ${m.message}`);
  }
  const date = cell('businessDate');
  let isoDate: string | undefined;
  if (date !== undefined) {
    const d = parseDate(date, profile.dateFormat);
    if (d.ok) isoDate = d.value;
    else err('businessDate', `businessDate ${d.message}`);
  }
  const sku = cell('sku');
  const tenderMethod = cell('tenderMethod');
  const hasTender = tenderMethod !== undefined || cell('tenderAmount') !== undefined;
  if (sku === undefined && !hasTender) err('sku', 'the row has neither a line (sku) nor a tender (tenderMethod)');
  if (hasTender && type === 'return') err('tenderMethod', 'a return carries refundAmount on its lines, not tenders');
  if (errors.length || id === undefined || (type !== 'sale' && type !== 'return')) return errors;

  const key = `${type}\u0000${id}`;
  let d = drafts.get(key);
  if (!d) {
    d = { kind: type, id, firstLine: row.line, fields: {}, lines: [], tenders: [] };
    drafts.set(key, d);
  }
  for (const c of PER_DOCUMENT) {
    const v = c === 'businessDate' ? isoDate : cell(c);
    if (v === undefined) continue;
    const had = d.fields[c];
    if (had !== undefined && had !== v) err(c, `${c} ${v} differs from ${had} on line ${d.firstLine} of the same transaction`);
    else d.fields[c] = v;
  }
  if (sku !== undefined) {
    const value: Record<string, unknown> =
      type === 'sale'
        ? { sku, qty: num.qty, unitPrice: num.unitPrice, ...(num.taxAmount === undefined ? {} : { taxAmount: num.taxAmount }) }
        : { sku, qty: num.qty, refundAmount: num.refundAmount, reasonCode: cell('reasonCode'), disposition: cell('disposition') };
    d.lines.push({ line: row.line, value });
  }
  if (hasTender) d.tenders.push({ line: row.line, value: { method: tenderMethod, amount: num.tenderAmount } });
  return errors;
}
