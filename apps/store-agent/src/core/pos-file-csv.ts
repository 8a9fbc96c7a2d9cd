/**
 * CSV tokenising for POS export files, by csv-parse (RFC 4180: quoted fields, "" escapes, CRLF or LF, fields
 * spanning lines). Each row keeps the physical line it starts on, so a rejection can name the line a person sees
 * in an editor.
 */
import { parse, CsvError } from 'csv-parse/sync';

export interface CsvRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  cells: string[];
}

export type CsvResult = { ok: true; rows: CsvRow[] } | { ok: false; line: number; message: string };

export type Delimiter = ',' | ';' | '\t' | '|';

/**
 * The delimiter read from the header line: a comma, or a semicolon when the header has semicolons and no comma
 * (spreadsheets in locales with a decimal comma export that way).
 */
export function detectDelimiter(text: string): ',' | ';' {
  const nl = text.indexOf('\n');
  const header = nl === -1 ? text : text.slice(0, nl);
  return header.includes(';') && !header.includes(',') ? ';' : ',';
}

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed before the end of the file',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field: quote the whole field and double the inner quotes ("")',
  CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote: only the delimiter or a line end may follow it',
};

export function parseCsv(input: string, delimiter: Delimiter | 'auto' = 'auto'): CsvResult {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const delim = delimiter === 'auto' ? detectDelimiter(text) : delimiter;
  let records: { record: string[]; info: { bytes: number } }[];
  try {
    records = parse(text, {
      delimiter: delim,
      record_delimiter: ['\r\n', '\n'],
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as unknown as { record: string[]; info: { bytes: number } }[]; // the shape `info: true` gives
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    // bytes_records: where the last complete record ended, so the failing one starts on the next non-blank line.
    const done = (e as CsvError & { bytes_records?: number }).bytes_records ?? 0;
    return { ok: false, line: lineOf(text, skipBlank(text, done)), message: REASONS[e.code] ?? e.message };
  }
  // A record starts where the previous one ended (info.bytes), after any blank lines; its line is the number of
  // line breaks before that plus one. (csv-parse's own line count counts a CRLF inside a quoted field twice.)
  const rows: CsvRow[] = [];
  let end = 0;
  let pos = 0;
  let line = 1;
  for (const { record, info } of records) {
    const start = skipBlank(text, end);
    for (; pos < start; pos++) if (text[pos] === '\n') line++;
    end = info.bytes;
    if (!record.every((c) => c === '')) rows.push({ line, cells: record });
  }
  return { ok: true, rows };
}

function skipBlank(text: string, from: number): number {
  let i = from;
  while (i < text.length && /[\r\n \t]/.test(text[i]!)) i++;
  return i;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text[i] === '\n') line++;
  return line;
}

/** Header names match loosely: "Transaction ID", "transaction_id" and "transactionId" are the same column. */
export function headerKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
