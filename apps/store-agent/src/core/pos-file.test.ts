import { describe, expect, it } from 'vitest';
import { parseCsv } from './pos-file-csv.js';
import { MAX_REPORTED_ERRORS, parsePosFile, posFormatOf, type PosFileResult } from './pos-file.js';
import { posProfileSchema, type PosProfile } from './pos-profile.js';

function docs(r: PosFileResult) {
  if (!r.ok) throw new Error(`expected documents, got errors ${JSON.stringify(r.errors)}`);
  return r.documents;
}
function errors(r: PosFileResult) {
  if (r.ok) throw new Error('expected errors, got documents');
  return r.errors;
}

describe('CSV tokens', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks, and keeps the line each row starts on', () => {
    const r = parseCsv('\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n2,"two\nlines",z\n3, padded ,\n');
    expect(r).toEqual({
      ok: true,
      rows: [
        { line: 1, cells: ['a', 'b', 'c'] },
        { line: 2, cells: ['1', 'x, y', 'say "hi"'] },
        { line: 4, cells: ['2', 'two\nlines', 'z'] },
        { line: 6, cells: ['3', 'padded', ''] },
      ],
    });
  });

  it('takes a semicolon as the delimiter when the header has no comma', () => {
    expect(parseCsv('a;b\n1;2,5\n')).toMatchObject({ ok: true, rows: [{ cells: ['a', 'b'] }, { cells: ['1', '2,5'] }] });
  });

  it('names the line of an unclosed quote or a stray quote', () => {
    expect(parseCsv('a,b\n1,"open\n2,3\n')).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/not closed/) });
    expect(parseCsv('a,b\n1,ab"c\n')).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/quote inside an unquoted field/) });
    expect(parseCsv('a,b\n1,"ab"c\n')).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/after a closing quote/) });
  });
});

describe('POS files', () => {
  it('knows its formats by extension only', () => {
    expect(posFormatOf('shift-1.JSON')).toBe('json');
    expect(posFormatOf('shift-1.csv')).toBe('csv');
    expect(posFormatOf('shift-1.csv.tmp')).toBeNull();
    expect(posFormatOf('notes.txt')).toBeNull();
  });

  it('JSON: sales and returns as the local API takes them, as an object, an array or one sale', () => {
    const sale = { transactionId: 'T-1', lines: [{ sku: 'A', qty: 2, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 900 }] };
    const ret = { returnId: 'R-1', originalTransactionId: 'T-0', lines: [{ sku: 'A', qty: 1, refundAmount: 450, reasonCode: 'changed-mind', disposition: 'restock' }] };
    const both = docs(parsePosFile('json', JSON.stringify({ sales: [sale], returns: [ret] })));
    expect(both).toEqual([
      { kind: 'sale', body: sale, where: 'sales[0]' },
      { kind: 'return', body: ret, where: 'returns[0]' },
    ]);
    expect(docs(parsePosFile('json', JSON.stringify([sale, { ...sale, transactionId: 'T-2' }]))).map((d) => d.kind)).toEqual(['sale', 'sale']);
    expect(docs(parsePosFile('json', JSON.stringify(sale)))[0]?.body).toEqual(sale);
  });

  it('JSON: every invalid field is reported with its path and transaction; broken JSON with its line', () => {
    const good = { transactionId: 'T-1', lines: [{ sku: 'A', qty: 1, unitPrice: 1 }], tenders: [] };
    const bad = { transactionId: 'T-2', lines: [{ sku: 'A', qty: 0, unitPrice: 1.5 }], tenders: [] };
    const errs = errors(parsePosFile('json', JSON.stringify({ sales: [good, bad] })));
    expect(errs.map((e) => [e.at, e.transactionId])).toEqual([
      ['sales[1].lines[0].qty', 'T-2'],
      ['sales[1].lines[0].unitPrice', 'T-2'],
    ]);
    const broken = errors(parsePosFile('json', '{\n  "sales": [\n    {"transactionId": "T-1",,}\n  ]\n}'));
    expect(broken[0]).toMatchObject({ message: expect.stringMatching(/^not valid JSON/) });
    // Node 20's V8 gives the position (line 3); newer ones may only quote the text, and then no line is claimed.
    expect([3, null]).toContain(broken[0]?.line);
    expect(errors(parsePosFile('json', '42'))[0]?.message).toMatch(/expected/);
    expect(errors(parsePosFile('json', '{"sales": []}'))[0]?.message).toMatch(/no sale or return/);
  });

  it('JSON: the same transactionId twice in one file is refused (which one would count?)', () => {
    const s = { transactionId: 'T-1', lines: [{ sku: 'A', qty: 1, unitPrice: 1 }], tenders: [] };
    expect(errors(parsePosFile('json', JSON.stringify([s, s])))[0]).toMatchObject({ transactionId: 'T-1', message: 'sale T-1 appears twice in this file' });
  });

  it('CSV: rows of one transaction make one sale with its lines and tenders; returns too', () => {
    const csv = [
      'Transaction ID,type,SKU,Qty,Unit Price,Tender Method,Tender Amount,Currency,Business Date,refund_amount,Reason Code,disposition,originalTransactionId,store note',
      'T-1,sale,A,2,450,,,EUR,2026-11-23,,,,,ignored column',
      'T-1,,B,1,300,card,1200,EUR,2026-11-23,,,,,',
      'T-2,sale,A,1,450,cash,450,,,,,,,',
      'R-1,return,A,1,,,,,2026-11-23,450,damaged-box,damaged,T-1,',
    ].join('\n');
    const d = docs(parsePosFile('csv', csv));
    expect(d).toEqual([
      {
        kind: 'sale',
        where: 'line 2',
        body: {
          transactionId: 'T-1',
          lines: [
            { sku: 'A', qty: 2, unitPrice: 450 },
            { sku: 'B', qty: 1, unitPrice: 300 },
          ],
          tenders: [{ method: 'card', amount: 1200 }],
          currency: 'EUR',
          businessDate: '2026-11-23',
        },
      },
      { kind: 'sale', where: 'line 4', body: { transactionId: 'T-2', lines: [{ sku: 'A', qty: 1, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 450 }] } },
      {
        kind: 'return',
        where: 'line 5',
        body: { returnId: 'R-1', originalTransactionId: 'T-1', businessDate: '2026-11-23', lines: [{ sku: 'A', qty: 1, refundAmount: 450, reasonCode: 'damaged-box', disposition: 'damaged' }] },
      },
    ]);
  });

  it('CSV: a bad row is reported with its file line, column and why; decimal money is refused with a hint', () => {
    const csv = ['transactionId,sku,qty,unitPrice,tenderMethod,tenderAmount', 'T-1,A,1,450,cash,450', 'T-2,A,1,4.50,cash,450', 'T-3,A,0,100,cash,0', ',A,1,1,,'].join('\n');
    const errs = errors(parsePosFile('csv', csv));
    expect(errs).toEqual([
      { line: 3, at: 'unitPrice', transactionId: 'T-2', message: 'unitPrice must be a whole number of minor units (450 for 4.50), got "4.50"' },
      { line: 5, at: 'transactionId', transactionId: null, message: 'transactionId is empty' },
    ]);
    // Once the rows parse, schema errors point at the row of the failing line or tender.
    const schemaErrs = errors(parsePosFile('csv', ['transactionId,sku,qty,unitPrice,tenderMethod,tenderAmount', 'T-3,A,1,100,,', 'T-3,B,0,100,,5'].join('\n')));
    expect(schemaErrs.map((e) => [e.line, e.at, e.transactionId])).toEqual([
      [3, 'qty', 'T-3'],
      [3, 'tenderMethod', 'T-3'],
    ]);
  });

  it('CSV: refuses a missing transactionId column, rows that disagree on currency, and rows with nothing in them', () => {
    expect(errors(parsePosFile('csv', 'sku,qty\nA,1\n'))[0]).toMatchObject({ line: 1, message: /no transactionId column/ });
    const disagree = errors(parsePosFile('csv', 'transactionId,sku,qty,unitPrice,currency\nT-1,A,1,1,EUR\nT-1,B,1,1,SEK\n'));
    expect(disagree[0]).toMatchObject({ line: 3, at: 'currency', message: 'currency SEK differs from EUR on line 2 of the same transaction' });
    expect(errors(parsePosFile('csv', 'transactionId,sku\nT-1,\n'))[0]).toMatchObject({ line: 2, message: /neither a line/ });
    expect(errors(parsePosFile('csv', 'transactionId,type,sku,qty\nT-1,refund,A,1\n'))[0]).toMatchObject({ at: 'type', message: /sale or return/ });
    expect(errors(parsePosFile('csv', ''))[0]?.message).toMatch(/empty/);
    expect(errors(parsePosFile('csv', 'transactionId,sku\n'))[0]?.message).toMatch(/no sale or return/);
  });

  it('CSV through a profile: the till’s headers, `;`, decimal comma, its date format, defaults for what it does not export', () => {
    const profile: PosProfile = {
      name: 'till.json',
      ...posProfileSchema.parse({
        match: { files: ['*.csv'] },
        delimiter: ';',
        decimalSeparator: ',',
        money: 'major',
        dateFormat: 'DD.MM.YYYY',
        columns: { 'Receipt No': 'transactionId', Item: 'sku', Qty: 'qty', Price: 'unitPrice', Payment: 'tenderMethod', Paid: 'tenderAmount', Date: 'businessDate' },
        defaults: { currency: 'EUR' },
      }),
    };
    const csv = 'Receipt No;Item;Qty;Price;Payment;Paid;Date\r\nB-7;CAFÉ-01;2;4,50;Espèces;9,00;29.11.2026\r\n';
    expect(docs(parsePosFile('csv', csv, profile))).toEqual([
      { kind: 'sale', where: 'line 2', body: { transactionId: 'B-7', lines: [{ sku: 'CAFÉ-01', qty: 2, unitPrice: 450 }], tenders: [{ method: 'Espèces', amount: 900 }], currency: 'EUR', businessDate: '2026-11-29' } },
    ]);
    // Read with the defaults, the same file says what is missing and how to fix it.
    expect(errors(parsePosFile('csv', csv))[0]?.message).toMatch(/no transactionId column \(it has "Receipt No", "Item".*import profile/);
  });

  it('CSV: a rejection names every bad field of every row, up to a bound', () => {
    const csv = ['transactionId,type,sku,qty,unitPrice,tenderMethod,tenderAmount,businessDate', 'T-1,sale,A,1.5,4.50,cash,"12,00",29/11/2026', 'T-2,refund,A,1,450,,,'].join('\n');
    expect(errors(parsePosFile('csv', csv)).map((e) => [e.line, e.at])).toEqual([
      [2, 'qty'],
      [2, 'unitPrice'],
      [2, 'tenderAmount'],
      [2, 'businessDate'],
      [3, 'type'],
    ]);
    const many = ['transactionId,sku,qty,unitPrice', ...Array.from({ length: 60 }, (_, i) => `T-${i},A,x,y`)].join('\n');
    const errs = errors(parsePosFile('csv', many));
    expect(errs).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(errs.at(-1)?.message).toBe(`${120 - MAX_REPORTED_ERRORS} more problem(s) not listed`);
  });
});
