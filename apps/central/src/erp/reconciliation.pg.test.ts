import { uuidv7, type EventPayloadMap } from '@outpost/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { erpReceiver, type ErpReceiver } from '../../../../test/support/erp-receiver.js';
import { freePort } from '../../../../test/support/ports.js';
import { waitFor } from '../../../../test/support/wait.js';
import type { Database } from '../platform/index.js';
import { createLedgerConnector } from './connectors/ledger.js';
import { countByStatus } from './postings-store.js';
import { defaultErpWorkerSettings } from './settings.js';
import { createWebhookConnector } from './connectors/webhook.js';
import { startErpWorker, type ErpWorker } from './worker.js';
import { createDevice, createStore, hlcAt, makeEvent, sale, send } from '../../../../test/support/inventory-fixture.js';
import { reconcileStoreDay } from './reconciliation.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';

// Reconciliation against ERPs that answer look-ups one by one (the webhook receiver's GET) and against the
// ledger, which can also list what it holds for a day (so a document central never posted is named).

const DAY = '2026-11-23';
const SECRET = 'rec-secret';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const close: EventPayloadMap['day.closed'] = {
  businessDate: DAY,
  currency: 'EUR',
  transactionCount: 2,
  returnCount: 0,
  salesTotal: 300,
  returnsTotal: 0,
  tenders: [{ method: 'cash', amount: 200 }],
};

describe('reconciliation service', () => {
  let db: Database;
  let closeDb: () => Promise<void>;
  let receiver: ErpReceiver | null = null;
  let worker: ErpWorker | null = null;

  beforeEach(async () => {
    ({ db, close: closeDb } = await openMigratedTestDatabase(4));
    await createStore(db.pool, 's1');
    const dev = await createDevice(db.pool, 's1', 'd');
    // Two sales (the fixture's sale: unit price 100, 100 cash tendered) and the store's close.
    await send(db.pool, [
      makeEvent(dev, 'sale.completed', sale('T-1', [{ sku: 'A', qty: 1 }]), hlcAt(1, 0, 'd')),
      makeEvent(dev, 'sale.completed', sale('T-2', [{ sku: 'A', qty: 2 }]), hlcAt(2, 0, 'd')),
      makeEvent(dev, 'day.closed', close, hlcAt(3, 0, 'd')),
    ]);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = null;
    await receiver?.stop();
    receiver = null;
    await closeDb();
  });

  const drain = async (connector: ReturnType<typeof createLedgerConnector>) => {
    worker = startErpWorker({ pool: db.pool, connector, settings: { ...defaultErpWorkerSettings(), pollMs: 20 }, summaryCutoff: '04:00', log: quiet });
    await waitFor(async () => (await countByStatus(db.pool)).posted === 2, { what: 'both sales posted' });
  };

  it('webhook ERP: matched while it holds both documents; one it lost is named; an ERP that cannot be asked is said so', async () => {
    receiver = erpReceiver(await freePort(), SECRET);
    await receiver.start();
    const connector = createWebhookConnector({ url: receiver.url, secret: SECRET });
    await drain(connector);

    const clean = await reconcileStoreDay(db.pool, connector, 's1', DAY);
    expect(clean).toMatchObject({ status: 'matched', erp: { transactionCount: 2, salesTotal: 300 }, differences: [] });

    const [lostKey] = [...receiver.booked.entries()].find(([, b]) => (b.document as { transactionId?: string }).transactionId === 'T-2')!;
    receiver.booked.delete(lostKey);
    const lost = await reconcileStoreDay(db.pool, connector, 's1', DAY);
    expect(lost.differences).toMatchObject([{ kind: 'missing_in_erp', transactionIds: ['T-2'], postingIds: [lostKey] }]);
    expect(lost.erp).toMatchObject({ transactionCount: 1, salesTotal: 100 });

    await receiver.stop();
    const down = await reconcileStoreDay(db.pool, connector, 's1', DAY);
    expect(down.status).toBe('differences');
    expect(down.differences.map((d) => d.kind)).toEqual(['erp_unreachable']);
    expect(down.erp.transactionCount).toBe(0); // nothing is confirmed by an ERP that did not answer
  });

  it('ledger ERP: a document it holds for the day that central never posted is named as extra', async () => {
    const ledger = createLedgerConnector(db.pool);
    await drain(ledger);
    expect((await reconcileStoreDay(db.pool, ledger, 's1', DAY)).status).toBe('matched');
    const stray = uuidv7();
    await db.pool.query(
      `INSERT INTO erp_ledger_entries (posting_id, store_id, business_date, kind, currency, correlation_id, description) VALUES ($1, 's1', $2, 'sale', 'EUR', 'x', 'typed in by hand')`,
      [stray, DAY],
    );
    const r = await reconcileStoreDay(db.pool, ledger, 's1', DAY);
    expect(r.differences).toMatchObject([{ kind: 'extra_in_erp', postingIds: [stray] }]);
  });

  it('day.closed v2: the counted cash is stored as sent and shown against what was tendered; v1 closes still count; a negative count is quarantined', async () => {
    // Store s1's till d closed with v1 (beforeEach); a second till closes v2, counted short by 0.30.
    const d2 = await createDevice(db.pool, 's1', 'e');
    const counted = [{ method: 'cash', amount: 470 }];
    const v2close = { ...close, transactionCount: 1, salesTotal: 500, tenders: [{ method: 'cash', amount: 500 }], countedCash: counted };
    const ack = await send(db.pool, [makeEvent(d2, 'sale.completed', { ...sale('T-9', [{ sku: 'A', qty: 5 }]), tenders: [{ method: 'cash', amount: 500 }] }, hlcAt(4, 0, 'e')), makeEvent(d2, 'day.closed', v2close, hlcAt(5, 0, 'e'), 2)]);
    expect(ack).toMatchObject({ ok: true, stored: 2, quarantined: 0 });
    const stored = await db.pool.query<{ schema_version: number; payload: unknown }>(`SELECT schema_version, payload FROM events WHERE type = 'day.closed' ORDER BY seq, device_id`);
    expect(stored.rows.map((r) => r.schema_version).sort()).toEqual([1, 2]);
    expect(stored.rows.find((r) => r.schema_version === 2)!.payload).toEqual(v2close);

    const day = await reconcileStoreDay(db.pool, createLedgerConnector(db.pool), 's1', DAY);
    // Only the till that counted is expected to hold its cash: 500 tendered there, 470 counted.
    expect(day.countedCash).toEqual([{ method: 'cash', expected: 500, counted: 470, difference: -30 }]);
    expect(day.store).toMatchObject({ transactionCount: 3, salesTotal: 800, tenders: [{ method: 'cash', amount: 700 }] });
    expect(day.differences.find((x) => x.kind === 'counted_cash')?.message).toBe(
      'counted at the day close differs from what was tendered: cash counted 4.70 EUR, tendered 5.00 EUR (short by 0.30 EUR)',
    );

    // The shared schema's bounds hold at central too: a negative count is quarantined with its path, never stored.
    const d3 = await createDevice(db.pool, 's1', 'f');
    const bad = await send(db.pool, [makeEvent(d3, 'day.closed', { ...close, countedCash: [{ method: 'cash', amount: -5 }] }, hlcAt(6, 0, 'f'), 2)]);
    expect(bad).toMatchObject({ ok: true, stored: 0, quarantined: 1 });
    const q = await db.pool.query<{ error: string }>('SELECT error FROM quarantine WHERE device_id = $1', [d3.deviceId]);
    expect(q.rows[0]?.error).toMatch(/payload\.countedCash\.0\.amount: a counted amount cannot be negative/);
  });
});
