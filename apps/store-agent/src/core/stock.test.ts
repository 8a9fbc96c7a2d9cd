import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countsOf, encodeHlc, movementsOf, parseEvent, replaySku, uuidv7, type Movement, type RawCommand } from '@outpost/shared';
import { createAgent, type Agent } from './engine.js';
import { silentLogger } from './log.js';
import { TempDirs, enrolledDir } from './testing/fixtures.js';
import { http } from './testing/http.js';

const dirs = new TempDirs();
const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  dirs.cleanup();
});

const SKUS = ['A', 'B', 'C'] as const;
const T0 = 1_800_000_000_000;

type Op =
  | { k: 'sale'; sku: string; qty: number }
  | { k: 'return'; sku: string; qty: number; disposition: 'restock' | 'damaged' | 'quarantine' }
  | { k: 'count'; sku: string; qty: number; sku2: string | null; qty2: number }
  | { k: 'adjust'; sku: string; delta: number }
  // dt: where central's stamp falls against the agent clock (negative: before recent local counts).
  | { k: 'receipt'; sku: string; qty: number; version: 1 | 2; dt: number }
  | { k: 'tick'; ms: number };

const sku = fc.constantFrom(...SKUS);
const qty = fc.integer({ min: 1, max: 20 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('sale' as const), sku, qty }),
  fc.record({ k: fc.constant('return' as const), sku, qty, disposition: fc.constantFrom('restock' as const, 'damaged' as const, 'quarantine' as const) }),
  fc.record({ k: fc.constant('count' as const), sku, qty: fc.integer({ min: 0, max: 50 }), sku2: fc.option(sku), qty2: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ k: fc.constant('adjust' as const), sku, delta: fc.integer({ min: -10, max: 10 }).filter((n) => n !== 0) }),
  fc.record({ k: fc.constant('receipt' as const), sku, qty, version: fc.constantFrom(1 as const, 2 as const), dt: fc.integer({ min: -50, max: 50 }) }),
  fc.record({ k: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 20 }) }),
);

function receipt(seq: number, version: 1 | 2, receiptId: string, s: string, q: number, hlc: string): RawCommand {
  const payload = version === 2 ? { receiptId, lines: [{ sku: s, qty: q }], hlc } : { receiptId, lines: [{ sku: s, qty: q }] };
  return { seq, commandId: uuidv7(), storeId: 'store-t', type: 'stock.received', schemaVersion: version, createdAt: new Date(T0).toISOString(), correlationId: uuidv7(), payload };
}

/** The reference: shared replaySku over every fact the agent holds (its outbox events and applied receipts). */
function reference(a: Agent, s: string) {
  const bodies = a.db.sqlite.prepare('SELECT body FROM outbox ORDER BY seq').all() as { body: string }[];
  const events = bodies.map((b) => {
    const p = parseEvent(JSON.parse(b.body));
    if (!p.ok) throw new Error(p.error);
    return p.value;
  });
  // Receipts' stamps: a v1 receipt is stamped by the agent at apply time, so read back what it chose.
  const receipts = a.db.sqlite
    .prepare("SELECT source_id AS sourceId, sku, hlc, qty FROM stock_facts WHERE source_id LIKE 'receipt:%'")
    .all() as Omit<Movement, 'bucket'>[];
  const movements = [...events.flatMap(movementsOf), ...receipts.map((r) => ({ ...r, bucket: 'sellable' as const }))];
  return replaySku(s, movements, events.flatMap(countsOf));
}

function localRow(a: Agent, s: string) {
  return a.db.sqlite.prepare('SELECT on_hand AS onHand, damaged, quarantine FROM stock WHERE sku = ?').get(s) as
    | { onHand: number; damaged: number; quarantine: number }
    | undefined;
}

describe('local stock', () => {
  it('always equals the shared replay over the agent’s own facts, receipts v1/v2 included', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        let t = T0;
        const a = createAgent({ dataDir: enrolledDir(dirs), log: silentLogger, env: {}, now: () => t });
        agents.push(a);
        let cmdSeq = 0;
        ops.forEach((o, i) => {
          const id = `D-${i}`;
          switch (o.k) {
            case 'sale':
              a.capture.sale({ transactionId: id, lines: [{ sku: o.sku, qty: o.qty, unitPrice: 100 }], tenders: [{ method: 'cash', amount: 100 * o.qty }] });
              break;
            case 'return':
              a.capture.return({ returnId: id, lines: [{ sku: o.sku, qty: o.qty, refundAmount: 100, reasonCode: 'r', disposition: o.disposition }] });
              break;
            case 'count': {
              const lines = [{ sku: o.sku, countedQty: o.qty }, ...(o.sku2 ? [{ sku: o.sku2, countedQty: o.qty2 }] : [])];
              a.capture.count({ countId: id, kind: 'cycle', lines });
              break;
            }
            case 'adjust':
              a.capture.adjustment({ adjustmentId: id, reasonCode: 'r', lines: [{ sku: o.sku, qtyDelta: o.delta }] });
              break;
            case 'receipt': {
              const hlc = encodeHlc({ wall: t + o.dt, counter: 0, node: 'central' });
              cmdSeq++;
              expect(a.applier.apply([receipt(cmdSeq, o.version, id, o.sku, o.qty, hlc)])).toBe(cmdSeq);
              break;
            }
            case 'tick':
              t += o.ms;
          }
        });
        for (const s of SKUS) {
          const ref = reference(a, s);
          const row = localRow(a, s) ?? { onHand: 0, damaged: 0, quarantine: 0 };
          expect(row).toEqual({ onHand: ref.onHand, damaged: ref.damaged, quarantine: ref.quarantine });
          const listed = a.stock.list({ sku: s, limit: 10 }).items[0];
          if (listed) expect(listed).toEqual({ sku: s, onHand: ref.onHand, reserved: 0, available: Math.max(0, ref.onHand) });
        }
      }),
      { numRuns: 60 },
    );
    // 60 real SQLite files: a bound for a hung run on a busy 2-core machine, not a speed check.
  }, 60_000);

  it('a receipt stamped before a local count is inside the count; one after it adds on top; a redelivered receipt moves nothing', () => {
    const t = T0;
    const a = createAgent({ dataDir: enrolledDir(dirs), log: silentLogger, env: {}, now: () => t });
    agents.push(a);
    a.capture.count({ countId: 'C1', kind: 'cycle', lines: [{ sku: 'A', countedQty: 10 }] });
    const early = encodeHlc({ wall: t - 1000, counter: 0, node: 'central' });
    const late = encodeHlc({ wall: t + 1000, counter: 0, node: 'central' });
    a.applier.apply([receipt(1, 2, 'R-early', 'A', 5, early)]);
    expect(a.stock.list({ sku: 'A', limit: 1 }).items).toEqual([{ sku: 'A', onHand: 10, reserved: 0, available: 10 }]);
    a.applier.apply([receipt(2, 2, 'R-late', 'A', 5, late), receipt(3, 2, 'R-late', 'A', 5, late)]);
    expect(a.stock.list({ sku: 'A', limit: 1 }).items[0]).toMatchObject({ onHand: 15 });
    // A count taken after R-late arrived is stamped after it, although central's clock is ahead of this one: the
    // agent's clock received R-late's stamp (HLC), so the count includes those goods, here as at central.
    a.capture.count({ countId: 'C2', kind: 'cycle', lines: [{ sku: 'A', countedQty: 7 }] });
    expect(a.stock.list({ sku: 'A', limit: 1 }).items[0]).toMatchObject({ onHand: 7 });
  });

  it('lists stock as a paged §10 list', () => {
    const a = createAgent({ dataDir: enrolledDir(dirs), log: silentLogger, env: {} });
    agents.push(a);
    for (const s of ['S3', 'S1', 'S2']) a.capture.adjustment({ adjustmentId: s, reasonCode: 'r', lines: [{ sku: s, qtyDelta: 3 }] });
    a.capture.sale({ transactionId: 'T', lines: [{ sku: 'S1', qty: 5, unitPrice: 1 }], tenders: [{ method: 'cash', amount: 5 }] });
    const p1 = a.stock.list({ limit: 2 });
    expect(p1).toEqual({ items: [{ sku: 'S1', onHand: -2, reserved: 0, available: 0 }, { sku: 'S2', onHand: 3, reserved: 0, available: 3 }], next: 'S2' });
    expect(a.stock.list({ after: 'S2', limit: 2 })).toEqual({ items: [{ sku: 'S3', onHand: 3, reserved: 0, available: 3 }], next: null });
  });

  it('GET /api/v1/stock answers the list over HTTP and refuses a bad query', async () => {
    const a = createAgent({ dataDir: enrolledDir(dirs), log: silentLogger, env: {}, port: 0 });
    agents.push(a);
    const { url } = await a.start({ sync: false });
    a.capture.adjustment({ adjustmentId: 'A1', reasonCode: 'r', lines: [{ sku: 'S1', qtyDelta: 4 }, { sku: 'S2', qtyDelta: 1 }] });
    expect(await http(`${url}/api/v1/stock?sku=S1`, 'GET')).toMatchObject({ status: 200, body: { items: [{ sku: 'S1', onHand: 4, reserved: 0, available: 4 }], next: null } });
    expect(await http(`${url}/api/v1/stock?limit=1`, 'GET')).toMatchObject({ status: 200, body: { items: [{ sku: 'S1' }], next: 'S1' } });
    expect((await http(`${url}/api/v1/stock?limit=0`, 'GET')).status).toBe(400);
  });
});
