import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from './engine.js';
import { silentLogger } from './log.js';
import { TempDirs, enrolledDir, sale } from './testing/fixtures.js';
import { http, json } from './testing/http.js';
import { parsePosFile } from './pos-file.js';

// Issue 11, cases 3 and 7: the agent refuses at capture what central could never store (it answered 201 for a
// quantity of 3e9 and an sku of "\u0000", which central then failed on, or could only quarantine).

const dirs = new TempDirs();
const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  dirs.cleanup();
});

async function started(): Promise<{ a: Agent; url: string }> {
  const a = createAgent({ dataDir: enrolledDir(dirs), log: silentLogger, port: 0 });
  agents.push(a);
  const { url } = await a.start({ sync: false });
  return { a, url: url! };
}

type ErrorBody = { error: { code: string; message: string; details: { path: string; message: string }[] } };

describe('capture refuses what central could not store', () => {
  it('answers 400 in the house shape for out-of-range quantities and money, and captures nothing', async () => {
    const { a, url } = await started();
    const cases: [string, unknown, string][] = [
      ['/sales', sale('T-1', { lines: [{ sku: 'A', qty: 3_000_000_000, unitPrice: 1 }] }), 'lines.0.qty'],
      ['/sales', sale('T-2', { lines: [{ sku: 'A', qty: 1, unitPrice: 2 ** 53 - 1 }] }), 'lines.0.unitPrice'],
      ['/counts', { countId: 'C-1', lines: [{ sku: 'A', countedQty: 3e9 }] }, 'lines.0.countedQty'],
      ['/adjustments', { adjustmentId: 'J-1', reasonCode: 'r', lines: [{ sku: 'A', qtyDelta: -(2 ** 40) }] }, 'lines.0.qtyDelta'],
      ['/returns', { returnId: 'R-1', lines: [{ sku: 'A', qty: 2 ** 31, refundAmount: 1, reasonCode: 'r', disposition: 'restock' }] }, 'lines.0.qty'],
    ];
    for (const [path, body, field] of cases) {
      const r = await http(`${url}/api/v1${path}`, 'POST', json(body));
      expect(r.status, `${path} ${field}`).toBe(400);
      const err = (r.body as ErrorBody).error;
      expect(err.code).toBe('validation_error');
      expect(err.details.map((d) => d.path)).toContain(field);
    }
    expect(a.status().pendingUp).toBe(0);
  });

  it('answers 400 for a NUL or a lone surrogate in an sku, a transaction id or a tender, and keeps an emoji', async () => {
    const { a, url } = await started();
    const bad = ['\u0000', 'A\ud800', '\udc00B'];
    for (const s of bad) {
      for (const body of [
        sale('T-1', { lines: [{ sku: s, qty: 1, unitPrice: 1 }] }),
        sale(`T${s}`),
        sale('T-1', { tenders: [{ method: s, amount: 1 }] }),
      ]) {
        const r = await http(`${url}/api/v1/sales`, 'POST', json(body));
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect((r.body as ErrorBody).error.details[0]?.message).toMatch(/NUL character or an unpaired surrogate/);
      }
    }
    expect(a.status().pendingUp).toBe(0);
    expect((await http(`${url}/api/v1/sales`, 'POST', json(sale('T-\ud83d\ude00')))).status).toBe(201);
  });

  it('refuses such documents in a POS file import, naming the field', () => {
    const r = parsePosFile('json', JSON.stringify({ sales: [sale('T-1', { lines: [{ sku: '\u0000', qty: 1, unitPrice: 1 }] }), sale('T-2', { lines: [{ sku: 'A', qty: 3e9, unitPrice: 1 }] })] }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.at)).toEqual(['sales[0].lines[0].sku', 'sales[1].lines[0].qty']);
    const csv = parsePosFile('csv', 'transactionId,sku,qty,unitPrice\nT-1,A,3000000000,100\n');
    expect(csv).toMatchObject({ ok: false, errors: [{ line: 2, at: 'qty', message: expect.stringMatching(/quantity must be between/) }] });
    expect(parsePosFile('csv', 'transactionId,sku,qty,unitPrice\nT-1,A,3,100\n').ok).toBe(true);
  });
});
