import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAgent, type Agent } from './engine.js';
import { inboxDirs, isIgnoredName, PosInbox, type InboxOutcome } from './inbox.js';
import { silentLogger } from './log.js';
import { agentTestContext, enrolledDir } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';

const { dirs, open } = agentTestContext();

/** An inbox on a real agent's capture and database; polls are driven by the test, one call one look. */
function inboxOf(a: Agent, dataDir: string): PosInbox {
  return new PosInbox({ dataDir, capture: a.capture, transaction: (fn) => a.db.sqlite.transaction(fn).immediate(), pollMs: 1000, log: silentLogger });
}

function events(a: Agent): { type: string; payload: { transactionId?: string; returnId?: string } }[] {
  return (a.db.sqlite.prepare('SELECT body FROM outbox ORDER BY seq').all() as { body: string }[]).map((r) => JSON.parse(r.body));
}

/** Polls until the inbox does something (a complete file needs two looks without change). */
async function settle(inbox: PosInbox): Promise<InboxOutcome[]> {
  for (let i = 0; i < 5; i++) {
    const out = await inbox.poll();
    if (out.length) return out;
  }
  return [];
}

const CSV = ['transactionId,sku,qty,unitPrice,tenderMethod,tenderAmount', 'C-1,SKU-1,2,450,,', 'C-1,SKU-2,1,300,card,1200', 'C-2,SKU-1,1,450,cash,450', ''].join('\n');
const JSON_FILE = JSON.stringify({
  sales: [{ transactionId: 'J-1', lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 450 }] }],
  returns: [{ returnId: 'JR-1', originalTransactionId: 'J-1', lines: [{ sku: 'SKU-1', qty: 1, refundAmount: 450, reasonCode: 'changed-mind', disposition: 'restock' }] }],
});

describe('POS inbox', () => {
  it('imports good JSON and CSV files once and moves them to processed/', async () => {
    const dir = enrolledDir(dirs);
    const a = open(dir);
    const inbox = inboxOf(a, dir);
    await inbox.ensureDirs();
    const { inbox: drop, processed } = inboxDirs(dir);
    writeFileSync(join(drop, 'shift-1.csv'), CSV);
    writeFileSync(join(drop, 'shift-1.json'), JSON_FILE);

    expect(await inbox.poll()).toEqual([]); // first look: a file is never read the moment it appears
    const out = await inbox.poll();
    expect(out).toEqual([
      { file: 'shift-1.csv', result: 'processed', imported: 2, duplicates: 0, movedTo: join(processed, 'shift-1.csv') },
      { file: 'shift-1.json', result: 'processed', imported: 2, duplicates: 0, movedTo: join(processed, 'shift-1.json') },
    ]);
    expect(readdirSync(drop)).toEqual([]);
    expect(readdirSync(processed).sort()).toEqual(['shift-1.csv', 'shift-1.json']);
    const evs = events(a);
    expect(evs.map((e) => [e.type, e.payload.transactionId ?? e.payload.returnId])).toEqual([
      ['sale.completed', 'C-1'],
      ['sale.completed', 'C-2'],
      ['sale.completed', 'J-1'],
      ['return.received', 'JR-1'],
    ]);
    expect(evs[0]?.payload).toMatchObject({ lines: [{ sku: 'SKU-1', qty: 2, unitPrice: 450 }, { sku: 'SKU-2', qty: 1, unitPrice: 300 }], tenders: [{ method: 'card', amount: 1200 }] });
    // The local stock moved with the events: 2 + 1 + 1 sold, 1 returned to stock.
    expect(a.stock.list({ sku: 'SKU-1', limit: 1 }).items).toMatchObject([{ onHand: -3 }]);
  });

  it('the same file dropped again creates no event and is still moved to processed/, beside the first', async () => {
    const dir = enrolledDir(dirs);
    const a = open(dir);
    const inbox = inboxOf(a, dir);
    await inbox.ensureDirs();
    const { inbox: drop, processed } = inboxDirs(dir);
    writeFileSync(join(drop, 'shift.csv'), CSV);
    expect(await settle(inbox)).toMatchObject([{ result: 'processed', imported: 2, duplicates: 0 }]);
    writeFileSync(join(drop, 'shift.csv'), CSV);
    expect(await settle(inbox)).toMatchObject([{ result: 'processed', imported: 0, duplicates: 2, movedTo: join(processed, 'shift.2.csv') }]);
    expect(events(a)).toHaveLength(2);
    expect(readdirSync(processed).sort()).toEqual(['shift.2.csv', 'shift.csv']);
  });

  it('a malformed file goes to rejected/ beside an error file saying why; nothing is imported', async () => {
    const dir = enrolledDir(dirs);
    const a = open(dir);
    const inbox = inboxOf(a, dir);
    await inbox.ensureDirs();
    const { inbox: drop, rejected } = inboxDirs(dir);
    writeFileSync(join(drop, 'broken.json'), '{"sales": [ {"transactionId": "X-1", ');
    expect(await settle(inbox)).toMatchObject([{ file: 'broken.json', result: 'rejected' }]);
    expect(readdirSync(rejected).sort()).toEqual(['broken.json', 'broken.json.error.json']);
    const report = JSON.parse(readFileSync(join(rejected, 'broken.json.error.json'), 'utf8'));
    expect(report.error).toMatchObject({ code: 'invalid_pos_file', message: expect.stringMatching(/^broken\.json was rejected whole, nothing was imported: .*not valid JSON/) });
    expect(report.error.details).toMatchObject({ file: 'broken.json', errors: [{ message: expect.stringMatching(/not valid JSON/) }] });
    expect(events(a)).toEqual([]);
  });

  it('one bad line rejects the whole file; the fixed re-export with the same ids imports every transaction once', async () => {
    const dir = enrolledDir(dirs);
    const a = open(dir);
    const inbox = inboxOf(a, dir);
    await inbox.ensureDirs();
    const { inbox: drop, rejected, processed } = inboxDirs(dir);
    const bad = CSV.replace('C-2,SKU-1,1,450', 'C-2,SKU-1,one,450');
    writeFileSync(join(drop, 'shift.csv'), bad);
    expect(await settle(inbox)).toMatchObject([{ result: 'rejected', errors: [{ line: 4, at: 'qty', transactionId: 'C-2' }] }]);
    const report = JSON.parse(readFileSync(join(rejected, 'shift.csv.error.json'), 'utf8'));
    expect(report.error.message).toBe('shift.csv was rejected whole, nothing was imported: line 4: qty must be a whole number, got "one"');
    expect(events(a)).toEqual([]); // C-1 was valid, and is not imported either

    writeFileSync(join(drop, 'shift.csv'), CSV);
    expect(await settle(inbox)).toMatchObject([{ result: 'processed', imported: 2, duplicates: 0 }]);
    expect(events(a).map((e) => e.payload.transactionId)).toEqual(['C-1', 'C-2']);
    expect(readdirSync(processed)).toEqual(['shift.csv']);
    expect(readdirSync(rejected).sort()).toEqual(['shift.csv', 'shift.csv.error.json']);
  });

  it('does not read a file still being written, nor temp or hidden names until they are renamed', async () => {
    const dir = enrolledDir(dirs);
    const a = open(dir);
    const inbox = inboxOf(a, dir);
    await inbox.ensureDirs();
    const { inbox: drop } = inboxDirs(dir);
    const [head, ...rest] = CSV.split('\n');
    const file = join(drop, 'growing.csv');
    writeFileSync(file, `${head}\n`);
    writeFileSync(join(drop, 'other.csv.tmp'), CSV);
    writeFileSync(join(drop, '.hidden.csv'), CSV);
    writeFileSync(join(drop, 'empty.csv'), '');
    // Every look sees the file grown since the last one: it is never read, not even its complete first rows.
    for (const row of rest.filter(Boolean)) {
      expect(await inbox.poll()).toEqual([]);
      appendFileSync(file, `${row}\n`);
    }
    expect(await inbox.poll()).toEqual([]);
    expect(events(a)).toEqual([]);
    // A look without change: now it is complete and read whole.
    expect(await inbox.poll()).toMatchObject([{ file: 'growing.csv', result: 'processed', imported: 2 }]);
    // The temp file counts once renamed (the atomic way to drop a file); hidden and empty files stay put.
    expect(await inbox.poll()).toEqual([]);
    renameSync(join(drop, 'other.csv.tmp'), join(drop, 'other.csv'));
    expect(await settle(inbox)).toMatchObject([{ file: 'other.csv', result: 'processed', imported: 0, duplicates: 2 }]);
    expect(readdirSync(drop).sort()).toEqual(['.hidden.csv', 'empty.csv']);
    expect(['a.csv.part', 'a.json.partial', 'a.csv~', '.a.csv', 'a.txt', 'a.tmp'].every(isIgnoredName)).toBe(true);
    expect(isIgnoredName('A.CSV')).toBe(false);
  });

  it('runs with the engine: a file dropped while the agent runs is imported and woken into the outbox', async () => {
    const dir = enrolledDir(dirs);
    const a = createAgent({ dataDir: dir, env: {}, log: silentLogger, settings: { inboxPollMs: 20 } });
    try {
      await a.start({ http: false, sync: false });
      const { inbox: drop, processed } = inboxDirs(dir);
      expect(existsSync(drop)).toBe(true); // made at start, so the POS has a folder to drop into
      writeFileSync(join(drop, 'live.json.tmp'), JSON_FILE);
      renameSync(join(drop, 'live.json.tmp'), join(drop, 'live.json'));
      await waitFor(() => existsSync(join(processed, 'live.json')), 'live.json to be processed');
      expect(a.status().pendingUp).toBe(2);
    } finally {
      await a.stop();
    }
    expect(events(open(dir)).map((e) => e.type)).toEqual(['sale.completed', 'return.received']);
  });

  it('a profile’s folder is watched; while a profile is invalid no file is touched, once fixed they are imported', async () => {
    const dir = enrolledDir(dirs);
    const a = open(dir);
    const inbox = inboxOf(a, dir);
    await inbox.ensureDirs();
    const { inbox: drop, processed } = inboxDirs(dir);
    mkdirSync(join(dir, 'pos-profiles'));
    writeFileSync(join(dir, 'pos-profiles', 'till.json'), JSON.stringify({ match: { folder: 'till-2' }, delimiter: ';', money: 'major', decimalSeparator: ',', columns: { Bon: 'transactionId', Artikel: 'sku', Menge: 'qty', Preis: 'unitPrice' } }));
    writeFileSync(join(dir, 'pos-profiles', 'broken.json'), '{"match": {"files": ["*.csv"]}, "encoding": "latin-9"}');
    mkdirSync(join(drop, 'till-2'));
    writeFileSync(join(drop, 'till-2', 'z.csv'), 'Bon;Artikel;Menge;Preis\nK-1;SKU-1;1;4,50\n');
    writeFileSync(join(drop, 'plain.csv'), CSV);
    for (let i = 0; i < 3; i++) expect(await inbox.poll()).toEqual([]);
    expect(readdirSync(drop).sort()).toEqual(['plain.csv', 'till-2']);
    rmSync(join(dir, 'pos-profiles', 'broken.json'));
    const out = [...(await inbox.poll()), ...(await settle(inbox))];
    expect(out.map((o) => [o.file, o.result]).sort()).toEqual([
      ['plain.csv', 'processed'],
      [join('till-2', 'z.csv'), 'processed'],
    ]);
    expect(existsSync(join(processed, 'z.csv'))).toBe(true);
    const sale = (events(a) as { payload: { transactionId?: string; lines?: unknown } }[]).find((e) => e.payload.transactionId === 'K-1');
    expect(sale?.payload.lines).toMatchObject([{ sku: 'SKU-1', qty: 1, unitPrice: 450 }]);
  });
});
