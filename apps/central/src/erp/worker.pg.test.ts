import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { erpReceiver, type ErpReceiver } from '../../../../test/support/erp-receiver.js';
import { freePort } from '../../../../test/support/ports.js';
import { waitFor } from '../../../../test/support/wait.js';
import type { Database } from '../platform/index.js';
import { count, createDevice, createStore, hlcAt, makeEvent, ret, sale, send, type TestDevice } from '../../../../test/support/inventory-fixture.js';
import type { ErpConnector } from './connector.js';
import { createLedgerConnector } from './connectors/ledger.js';
import { listLedger } from './connectors/ledger-queries.js';
import { countByStatus, listPostings, replayPosting } from './postings-store.js';
import { defaultErpWorkerSettings, type ErpWorkerSettings } from './settings.js';
import { createWebhookConnector } from './connectors/webhook.js';
import { startErpWorker, type ErpWorker } from './worker.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';

// The posting worker against real connectors: the built-in ledger in the same PostgreSQL, and the webhook
// connector against a real HTTP receiver that is stopped and started (the ERP down, then up).

const SECRET = 'erp-hook-secret';
const fast: ErpWorkerSettings = { ...defaultErpWorkerSettings(), pollMs: 20, retryBaseMs: 20, retryMaxMs: 200, circuitThreshold: 3, circuitCooldownMs: 100, circuitMaxCooldownMs: 400 };
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('ERP posting worker', () => {
  let db: Database;
  let closeDb: () => Promise<void>;
  let devs: TestDevice[];
  const workers: ErpWorker[] = [];
  let receiver: ErpReceiver | null = null;
  let wall = 1;

  beforeEach(async () => {
    ({ db, close: closeDb } = await openMigratedTestDatabase(8));
    devs = [];
    for (const s of ['s1', 's2']) {
      await createStore(db.pool, s);
      devs.push(await createDevice(db.pool, s, `${s}-d`));
    }
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await receiver?.stop();
    receiver = null;
    await closeDb();
  });

  const start = (connector: ErpConnector, owner?: string, logs: { msg: string; obj: Record<string, unknown> }[] = []) => {
    const log = { ...quiet, info: (obj: object, msg: string) => logs.push({ msg, obj: obj as Record<string, unknown> }) };
    const w = startErpWorker({ pool: db.pool, connector, settings: fast, summaryCutoff: '04:00', log, ...(owner ? { owner } : {}) });
    workers.push(w);
    return w;
  };
  /** n sales per store, in a few batches, plus a return and a count. */
  async function ingest(n: number): Promise<void> {
    for (const dev of devs) {
      for (let i = 0; i < n; i += 5) {
        const evs = Array.from({ length: Math.min(5, n - i) }, (_, j) => makeEvent(dev, 'sale.completed', sale(`${dev.storeId}-T${i + j}`, [{ sku: 'A', qty: 1 }]), hlcAt(wall++, 0, dev.node)));
        await send(db.pool, evs);
      }
      await send(db.pool, [
        makeEvent(dev, 'return.received', ret(`${dev.storeId}-R`, [{ sku: 'A', qty: 1, disposition: 'restock' }]), hlcAt(wall++, 0, dev.node)),
        makeEvent(dev, 'count.submitted', count(`${dev.storeId}-C`, [{ sku: 'A', countedQty: 3 }]), hlcAt(wall++, 0, dev.node)),
      ]);
    }
  }
  const allPosted = async (total: number) => {
    const c = await countByStatus(db.pool);
    return c.posted === total ? c : null;
  };

  it('ledger: two workers post every posting exactly once, in store order, with balanced books; a replay books nothing new', async () => {
    await ingest(20);
    const ledger = createLedgerConnector(db.pool);
    const logs: { msg: string; obj: Record<string, unknown> }[] = [];
    start(ledger, 'node-a', logs);
    start(ledger, 'node-b', logs);
    await waitFor(() => allPosted(44), { what: '44 postings posted' });

    const entries = await db.pool.query<{ n: string; d: string; c: string }>(
      'SELECT count(DISTINCT e.posting_id) AS n, sum(l.debit) AS d, sum(l.credit) AS c FROM erp_ledger_entries e LEFT JOIN erp_ledger_lines l ON l.entry_id = e.id',
    );
    expect(Number(entries.rows[0]!.n)).toBe(44);
    expect(entries.rows[0]!.d).toBe(entries.rows[0]!.c);
    expect(Number((await db.pool.query('SELECT count(*) AS n FROM erp_ledger_entries')).rows[0].n)).toBe(44);
    // Per store, ledger entries were booked in posting order (one worker per store at a time).
    for (const s of ['s1', 's2']) {
      const order = await db.pool.query<{ posting_id: string }>('SELECT posting_id FROM erp_ledger_entries WHERE store_id = $1 ORDER BY id', [s]);
      const postings = (await listPostings(db.pool, { storeId: s, limit: 1000 })).items;
      expect(order.rows.map((r) => r.posting_id)).toEqual(postings.map((p) => p.id));
    }
    // Every log line of a posting carries its correlation id.
    const posted = logs.filter((l) => l.msg === 'posted to the ERP');
    expect(posted).toHaveLength(44);
    expect(posted.every((l) => typeof l.obj.correlationId === 'string' && String(l.obj.correlationId).startsWith('corr-'))).toBe(true);

    const one = (await listPostings(db.pool, { storeId: 's1', kind: 'return', limit: 1 })).items[0]!;
    await replayPosting(db.pool, one.id);
    workers[0]!.wake();
    await waitFor(() => allPosted(44), { what: 'the replayed posting posted again' });
    const again = await listLedger(db.pool, { storeId: 's1', limit: 1000 });
    expect(again.items).toHaveLength(22);
    expect(again.items.find((e) => e.postingId === one.id)).toMatchObject({ kind: 'return', erpRef: one.erpRef });
    expect(logs.find((l) => l.msg === 'ERP already holds the posting')?.obj).toMatchObject({ postingId: one.id, erpRef: one.erpRef, correlationId: one.correlationId });
  });

  it('a node keeps its stores through an ERP call longer than the lease (heartbeat): no other node posts them meanwhile, each posting goes out once', async () => {
    await ingest(3); // 5 postings per store
    const short: ErpWorkerSettings = { ...fast, leaseMs: 300 };
    // An ERP stand-in that books each posting id once and holds node A's first call until the test lets it go.
    const calls: { node: string; postingId: string }[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const erp = (node: string, hold: boolean): ErpConnector => ({
      name: 'webhook',
      async post(p) {
        calls.push({ node, postingId: p.postingId });
        if (hold && calls.filter((c) => c.node === node).length === 1) await gate;
        return { ok: true, erpRef: `REF-${p.postingId}`, alreadyPosted: false };
      },
      lookup: async () => null,
      close: async () => {},
    });
    const a = startErpWorker({ pool: db.pool, connector: erp('a', true), settings: { ...short, concurrency: 1 }, summaryCutoff: '04:00', log: quiet, owner: 'node-a' });
    workers.push(a);
    await waitFor(() => calls.length === 1, { what: 'node A inside its first call' });
    const held = calls[0]!;
    const storeHeld = (await db.pool.query<{ store_id: string }>('SELECT store_id FROM erp_postings WHERE posting_id = $1', [held.postingId])).rows[0]!.store_id;
    const first = (await db.pool.query<{ until: Date }>('SELECT leased_until AS until FROM erp_store_leases WHERE store_id = $1', [storeHeld])).rows[0]!.until;
    workers.push(startErpWorker({ pool: db.pool, connector: erp('b', false), settings: short, summaryCutoff: '04:00', log: quiet, owner: 'node-b' }));
    onTestFinished(() => release()); // a failed assert must not leave node A's call (and the worker's stop) hanging
    // Several lease lengths later (database time), node A still holds the store and node B never called for it.
    await waitFor(
      async () => (await db.pool.query<{ later: boolean }>("SELECT now() > $1::timestamptz + interval '900 milliseconds' AS later", [first])).rows[0]!.later,
      { what: 'three lease lengths to pass' },
    );
    const lease = (await db.pool.query<{ owner: string | null; held: boolean }>('SELECT owner, leased_until > now() AS held FROM erp_store_leases WHERE store_id = $1', [storeHeld])).rows[0]!;
    expect(lease).toEqual({ owner: 'node-a', held: true });
    expect(calls.filter((c) => c.postingId === held.postingId)).toHaveLength(1);
    release();
    await waitFor(() => allPosted(10), { what: '10 postings posted' });
    // Exactly once: no posting was called twice, across both nodes.
    expect(calls).toHaveLength(10);
    expect(new Set(calls.map((c) => c.postingId)).size).toBe(10);
  });

  it('webhook: receiver down → postings retry and the circuit opens, nothing is lost; receiver up → all delivered once, signed', async () => {
    const port = await freePort();
    receiver = erpReceiver(port, SECRET);
    await ingest(5);
    const w = start(createWebhookConnector({ url: receiver.url, secret: SECRET }));
    await waitFor(async () => (await countByStatus(db.pool)).retrying >= 2 && w.circuit().state !== 'closed', { what: 'retries and an open circuit' });
    const c = await countByStatus(db.pool);
    expect(c.posted + c.dead).toBe(0);
    expect(c.pending + c.retrying).toBe(14);
    expect(w.circuit().lastError).toMatch(/ECONNREFUSED/);

    receiver.failFirstAnswer = true; // the first answer of each key is lost: the retry must not book twice
    await receiver.start();
    await waitFor(() => allPosted(14), { what: 'all 14 postings delivered after the receiver came back' });
    expect(w.circuit().state).toBe('closed');
    expect(receiver.booked.size).toBe(14);
    expect(receiver.received.length).toBeGreaterThan(14); // retries reached it, and were filtered by key
    expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
    const postings = (await listPostings(db.pool, { limit: 1000 })).items;
    expect([...receiver.booked.keys()].sort()).toEqual(postings.map((p) => p.id).sort());
    for (const p of postings) expect(receiver.booked.get(p.id)).toMatchObject({ postingId: p.id, correlationId: p.correlationId, document: { kind: p.kind } });
    expect(receiver.received.every((r) => r.correlationHeader === r.body.correlationId)).toBe(true);
  });

  it('a document the ERP refuses becomes a dead letter with its message and does not block the store; replay after the fix posts it once', async () => {
    const port = await freePort();
    receiver = erpReceiver(port, SECRET);
    receiver.refuse = (b) => (b.document.kind === 'return' ? 'no product mapped for sku A (returns)' : null);
    await receiver.start();
    await ingest(3);
    start(createWebhookConnector({ url: receiver.url, secret: SECRET }));
    await waitFor(async () => {
      const c = await countByStatus(db.pool);
      return c.posted === 8 && c.dead === 2;
    }, { what: 'two dead letters, the rest posted' });
    const dead = (await listPostings(db.pool, { status: 'dead', limit: 10 })).items;
    expect(dead.map((p) => p.kind)).toEqual(['return', 'return']);
    expect(dead[0]!.lastError).toBe('webhook answered HTTP 422: no product mapped for sku A (returns)');
    // The count after each return was still posted: a dead letter does not hold back its store.
    expect((await listPostings(db.pool, { kind: 'count', limit: 10 })).items.map((p) => p.status)).toEqual(['posted', 'posted']);

    receiver.refuse = () => null;
    await replayPosting(db.pool, dead[0]!.id);
    workers[0]!.wake();
    await waitFor(() => allPosted(9), { what: 'the replayed dead letter posted' });
    expect(receiver.booked.has(dead[0]!.id)).toBe(true);
    expect(receiver.received.filter((r) => r.key === dead[0]!.id)).toHaveLength(2); // refused once, booked once
    expect(receiver.booked.size).toBe(9);
  });
});
