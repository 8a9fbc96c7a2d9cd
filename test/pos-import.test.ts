import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { allEvents, enrollAgent, startAgent, startCentral } from './support/procs.js';
import { waitFor } from './support/wait.js';

describe('POS file import', () => {
  const { fx, dbUrl } = e2eContext();

  it("files dropped in a running agent's inbox reach central once; a bad file is rejected with its reason and loses nothing", async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-pos', dataDir);
    const agent = await startAgent(fx, { dataDir, env: { OUTPOST_INBOX_POLL_MS: '100' } });
    const inbox = join(dataDir, 'inbox');
    await waitFor(() => existsSync(inbox), { what: 'the agent to make its inbox folder' });

    // A sale rung up at the till through the API, then the POS export holding it again plus two new ones.
    const tillSale = await agent.api.post<{ eventId: string }>('/sales', {
      transactionId: 'POS-1',
      lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 450 }],
      tenders: [{ method: 'cash', amount: 450 }],
    });
    expect(tillSale.status).toBe(201);
    const csv = [
      'transactionId,sku,qty,unitPrice,tenderMethod,tenderAmount,currency',
      'POS-1,SKU-1,1,450,cash,450,EUR',
      'POS-2,SKU-1,2,450,,,EUR',
      'POS-2,SKU-2,1,300,card,1200,EUR',
      'POS-3,SKU-2,1,300,cash,300,EUR',
    ].join('\n');
    // Written under a temp name and renamed, as a POS should: the watcher never sees half a file.
    writeFileSync(join(inbox, 'export-0800.csv.tmp'), `${csv}\n`);
    renameSync(join(inbox, 'export-0800.csv.tmp'), join(inbox, 'export-0800.csv'));
    writeFileSync(join(inbox, 'export-0900.csv'), 'transactionId,sku,qty,unitPrice\nPOS-4,SKU-1,1,4.50\n');

    await waitFor(() => existsSync(join(dataDir, 'processed', 'export-0800.csv')), { what: 'export-0800.csv to be processed' });
    await waitFor(() => existsSync(join(dataDir, 'rejected', 'export-0900.csv.error.json')), { what: 'export-0900.csv to be rejected' });
    const report = JSON.parse(readFileSync(join(dataDir, 'rejected', 'export-0900.csv.error.json'), 'utf8'));
    expect(report.error.details.errors).toEqual([expect.objectContaining({ line: 2, at: 'unitPrice', transactionId: 'POS-4' })]);

    await waitDrained(agent);
    const sales = (await allEvents(central, 'store-pos')).filter((e) => e.type === 'sale.completed');
    expect(sales.map((e) => e.payload.transactionId)).toEqual(['POS-1', 'POS-2', 'POS-3']);
    expect(sales[0]?.eventId).toBe(tillSale.body.eventId); // the export's POS-1 was the till's event, not a second one
    expect(sales[1]?.payload).toMatchObject({
      lines: [
        { sku: 'SKU-1', qty: 2, unitPrice: 450 },
        { sku: 'SKU-2', qty: 1, unitPrice: 300 },
      ],
      tenders: [{ method: 'card', amount: 1200 }],
      currency: 'EUR',
    });
    const inv = await central.api.get<{ items: { sku: string; onHand: number }[] }>('/inventory?storeId=store-pos');
    expect(Object.fromEntries(inv.body.items.map((r) => [r.sku, r.onHand]))).toEqual({ 'SKU-1': -3, 'SKU-2': -2 });
  });

  it('files as tills write them (Windows-1252, ISO-8859-15, UTF-16 with BOM, CRLF, `;`, decimal comma, own headers) reach central with their exact characters and amounts', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-tills', dataDir);
    // The two shipped example profiles, as documented, plus one for a till writing ISO-8859-15 in Outpost's columns.
    const profiles = join(dataDir, 'pos-profiles');
    mkdirSync(profiles, { recursive: true });
    for (const f of ['european-till.json', 'spreadsheet-unicode-text.json']) copyFileSync(join('apps/store-agent/pos-profiles', f), join(profiles, f));
    writeFileSync(join(profiles, 'latin9.json'), JSON.stringify({ match: { files: ['latin9-*.csv'] }, encoding: 'iso-8859-15', delimiter: ';', decimalSeparator: ',', money: 'major' }));
    const agent = await startAgent(fx, { dataDir, env: { OUTPOST_INBOX_POLL_MS: '100' } });
    const inbox = join(dataDir, 'inbox');
    await waitFor(() => existsSync(inbox), { what: 'the agent to make its inbox folder' });
    const drop = (name: string, bytes: Buffer) => {
      const path = join(inbox, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(`${path}.tmp`, bytes);
      renameSync(`${path}.tmp`, path);
    };

    drop('kasse-0800.csv', iconv.encode('Receipt No;Item;Qty;Price;Payment;Paid;Date\r\nB-1;CAFÉ-01;2;4,50;Espèces;9,00;29.11.2026\r\nB-2;THÉ-02;1;12,5;Carte bancaire;12,50;29.11.2026\r\n', 'windows-1252'));
    drop('latin9-0800.csv', iconv.encode('transactionId;sku;qty;unitPrice;tenderMethod;tenderAmount;currency\r\nL-1;CŒUR-€;1;3,20;Chèque;3,20;EUR\r\n', 'iso-8859-15'));
    const utf16 = 'Ticket\tKind\tArticle\tQuantity\tUnit price\tRefund\tReason\tCondition\tOriginal ticket\tTender\tAmount\tDay\r\nU-1\tsale\tÆBLE-日本\t3\t1.05\t\t\t\t\tcash\t3.15\t11/29/2026\r\nUR-1\treturn\tÆBLE-日本\t1\t\t1.05\tbruised\tdamaged\tU-1\t\t\t11/29/2026\r\n';
    drop('spreadsheet/export.txt.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(utf16, 'utf-16le')]));
    // Windows-1252 bytes dropped as if UTF-8 (no profile claims the name): refused, not stored as U+FFFD.
    drop('export-1000.csv', iconv.encode('transactionId,sku,qty,unitPrice\nX-1,CAFÉ-01,1,450\n', 'windows-1252'));
    // Several bad fields: every one is named, not only the first.
    drop('export-1100.csv', Buffer.from('transactionId,sku,qty,unitPrice,tenderMethod,tenderAmount\nY-1,SKU-1,1.5,450,cash,"12,00"\nY-2,SKU-1,1,4.50,card,450\n'));

    for (const f of ['kasse-0800.csv', 'latin9-0800.csv', 'export.txt.csv']) await waitFor(() => existsSync(join(dataDir, 'processed', f)), { what: `${f} to be processed` });
    await waitFor(() => existsSync(join(dataDir, 'rejected', 'export-1000.csv.error.json')), { what: 'export-1000.csv to be rejected' });
    await waitFor(() => existsSync(join(dataDir, 'rejected', 'export-1100.csv.error.json')), { what: 'export-1100.csv to be rejected' });
    const utf8Report = JSON.parse(readFileSync(join(dataDir, 'rejected', 'export-1000.csv.error.json'), 'utf8'));
    expect(utf8Report.error.details.errors).toEqual([{ line: 2, at: 'byte 39', transactionId: null, message: expect.stringMatching(/^invalid UTF-8 byte 0xc9 at byte offset 39/) }]);
    expect(utf8Report.error.message).toMatch(/line 2/);
    const fieldsReport = JSON.parse(readFileSync(join(dataDir, 'rejected', 'export-1100.csv.error.json'), 'utf8'));
    expect(fieldsReport.error.details.errors.map((e: { line: number; at: string }) => [e.line, e.at])).toEqual([
      [2, 'qty'],
      [2, 'tenderAmount'],
      [3, 'unitPrice'],
    ]);
    expect(fieldsReport.error.details.errors[1].message).toContain('"12,00"');

    await waitDrained(agent);
    const events = await allEvents(central, 'store-tills');
    const byId = (id: string) => events.find((e) => e.payload.transactionId === id || e.payload.returnId === id)?.payload;
    expect(byId('B-1')).toMatchObject({ lines: [{ sku: 'CAFÉ-01', qty: 2, unitPrice: 450 }], tenders: [{ method: 'Espèces', amount: 900 }], currency: 'EUR', businessDate: '2026-11-29' });
    expect(byId('B-2')).toMatchObject({ lines: [{ sku: 'THÉ-02', qty: 1, unitPrice: 1250 }], tenders: [{ method: 'Carte bancaire', amount: 1250 }] });
    expect(byId('L-1')).toMatchObject({ lines: [{ sku: 'CŒUR-€', qty: 1, unitPrice: 320 }], tenders: [{ method: 'Chèque', amount: 320 }] });
    expect(byId('U-1')).toMatchObject({ lines: [{ sku: 'ÆBLE-日本', qty: 3, unitPrice: 105 }], tenders: [{ method: 'cash', amount: 315 }], businessDate: '2026-11-29' });
    expect(byId('UR-1')).toMatchObject({ originalTransactionId: 'U-1', lines: [{ sku: 'ÆBLE-日本', qty: 1, refundAmount: 105, reasonCode: 'bruised', disposition: 'damaged' }] });
    expect(events.filter((e) => e.type === 'sale.completed' || e.type === 'return.received')).toHaveLength(5);
    expect(JSON.stringify(events)).not.toContain('\uFFFD');
  });
});
