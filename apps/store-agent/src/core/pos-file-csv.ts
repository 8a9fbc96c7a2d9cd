/**
 * CSV tokenising for POS export files (RFC 4180: quoted fields, "" escapes, CRLF or LF, fields spanning lines).
 * Each row keeps the physical line it starts on, so a rejection can name the line a person sees in an editor.
 */

export interface CsvRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  cells: string[];
}

export type CsvResult = { ok: true; rows: CsvRow[] } | { ok: false; line: number; message: string };

/**
 * The delimiter is read from the header line: a comma, or a semicolon when the header has semicolons and no
 * comma (spreadsheets in locales with a decimal comma export that way).
 */
export function detectDelimiter(text: string): ',' | ';' {
  const nl = text.indexOf('\n');
  const header = nl === -1 ? text : text.slice(0, nl);
  return header.includes(';') && !header.includes(',') ? ';' : ',';
}

export function parseCsv(input: string): CsvResult {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const delim = detectDelimiter(text);
  const rows: CsvRow[] = [];
  let line = 1;
  let rowLine = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted (only the delimiter or a line end may follow)
  let i = 0;

  const endCell = () => {
    cells.push(wasQuoted ? cell : cell.trim());
    cell = '';
    wasQuoted = false;
  };
  const endRow = () => {
    endCell();
    // Blank lines (also the trailing newline) are not rows.
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
  };

  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      cell += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (cell.trim() !== '' || wasQuoted) return { ok: false, line, message: 'a quote inside an unquoted field: quote the whole field and double the inner quotes ("")' };
      cell = '';
      quoted = true;
      wasQuoted = true;
      i++;
      continue;
    }
    if (c === delim) {
      endCell();
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      i++;
      continue;
    }
    if (c === '\n') {
      endRow();
      line++;
      rowLine = line;
      i++;
      continue;
    }
    if (wasQuoted && c.trim() !== '') return { ok: false, line, message: 'text after a closing quote: only the delimiter or a line end may follow it' };
    cell += c;
    i++;
  }
  if (quoted) return { ok: false, line: rowLine, message: 'a quoted field is not closed before the end of the file' };
  endRow();
  return { ok: true, rows };
}

/** Header names match loosely: "Transaction ID", "transaction_id" and "transactionId" are the same column. */
export function headerKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
