import { uuidv7, type EventPayloadMap } from '@outpost/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { erpReceiver, type ErpReceiver } from '../../../../test/support/erp-receiver.js';
import { freePort } from '../../../../test/support/ports.js';
import { waitFor } from '../../../../test/support/wait.js';
import type { Database } from '../platform/db/database.js';
import { createLedgerConnector } from './connectors/ledger.js';
import { countByStatus } from './postings-store.js';
import { defaultErpWorkerSettings } from './settings.js';
import { createWebhookConnector } from './connectors/webhook.js';
import { startErpWorker, type ErpWorker } from './worker.js';
import { createDevice, createStore, hlcAt, makeEvent, sale, send } from '../testing/inventory-fixture.js';
import { reconcileStoreDay } from './reconciliation.js';
import { openMigratedTestDatabase } from '../testing/test-database.js';

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
});
