import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayloadMap } from '@outpost/shared';
import { type Database, withTransaction } from '../platform/index.js';
import { count, createDevice, createStore, hlcAt, makeEvent, ret, sale, send, type TestDevice } from '../../../../test/support/inventory-fixture.js';
import { cutDaySummary, dueSummaryDays } from './outbox.js';
import { listPostings } from './postings-store.js';
import { putStoreSettings } from './store-settings.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';

// The transactional outbox at ingest: postings are written by the real ingest function in the batch's own
// transaction, each event is covered once, a resent batch writes nothing, and summary mode waits for the close.

const STORE = 'store-erp';
const close = (businessDate: string, transactionCount: number): EventPayloadMap['day.closed'] => ({
  businessDate,
  currency: 'EUR',
  transactionCount,
  returnCount: 0,
  salesTotal: 100 * transactionCount,
  returnsTotal: 0,
  tenders: [{ method: 'cash', amount: 100 * transactionCount }],
});

describe('ERP outbox written at ingest', () => {
  let db: Database;
  let closeDb: () => Promise<void>;
  let dev: TestDevice;
  let wall = 1;
  const at = () => hlcAt(wall++, 0, dev.node);

  beforeEach(async () => {
    ({ db, close: closeDb } = await openMigratedTestDatabase(4));
    await createStore(db.pool, STORE);
    dev = await createDevice(db.pool, STORE, 'd1');
  });
  afterEach(async () => {
    await closeDb();
  });

  const coveredBy = async () =>
    (await db.pool.query<{ event_id: string; posting_id: string }>('SELECT event_id, posting_id FROM erp_posting_events WHERE store_id = $1', [STORE])).rows;

  it('per sale: a sale, a return and a count each get one posting with the event correlation id; a resent batch adds none', async () => {
    await send(db.pool, [makeEvent(dev, 'count.submitted', count('C-0', [{ sku: 'A', countedQty: 10 }]), at())]);
    const batch = [
      makeEvent(dev, 'sale.completed', sale('T-1', [{ sku: 'A', qty: 2 }]), at()),
      makeEvent(dev, 'return.received', ret('R-1', [{ sku: 'A', qty: 1, disposition: 'restock' }], 'T-1'), at()),
      makeEvent(dev, 'count.submitted', count('C-1', [{ sku: 'A', countedQty: 7 }]), at()),
    ];
    await send(db.pool, batch);
    await send(db.pool, batch); // the agent resends after a lost ack

    const { items } = await listPostings(db.pool, { storeId: STORE, limit: 100 });
    expect(items.map((p) => [p.kind, p.status])).toEqual([
      ['count', 'pending'],
      ['sale', 'pending'],
      ['return', 'pending'],
      ['count', 'pending'],
    ]);
    expect(items.slice(1).map((p) => p.correlationId)).toEqual(batch.map((e) => e.correlationId));
    expect(items.slice(1).map((p) => p.sourceEventId)).toEqual(batch.map((e) => e.eventId));
    expect(items[1]!.document).toMatchObject({ kind: 'sale', transactionId: 'T-1', lines: [{ sku: 'A', qty: 2, unitPrice: 100 }] });
    // The count carries central's variance: 10 counted, 2 sold, 1 restocked → 9 expected, 7 counted.
    expect(items[3]!.document).toMatchObject({ kind: 'count', countId: 'C-1', lines: [{ sku: 'A', countedQty: 7, variance: -2 }] });
    expect(await coveredBy()).toHaveLength(4);
  });

  it('summary mode: sales wait for the day close, which cuts one summary of them; a late sale makes a supplementary one', async () => {
    await putStoreSettings(db.pool, STORE, { postingMode: 'day_summary' }, '04:00');
    await send(db.pool, [
      makeEvent(dev, 'sale.completed', sale('T-1', [{ sku: 'A', qty: 1 }]), at()),
      makeEvent(dev, 'sale.completed', sale('T-2', [{ sku: 'A', qty: 2 }]), at()),
      makeEvent(dev, 'return.received', ret('R-1', [{ sku: 'A', qty: 1, disposition: 'damaged' }]), at()),
    ]);
    expect((await listPostings(db.pool, { storeId: STORE, limit: 100 })).items).toEqual([]);

    const closing = makeEvent(dev, 'day.closed', close('2026-11-23', 2), at());
    await send(db.pool, [closing]);
    const after = (await listPostings(db.pool, { storeId: STORE, limit: 100 })).items;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ kind: 'day_summary', businessDate: '2026-11-23', correlationId: closing.correlationId, sourceEventId: null });
    expect(after[0]!.document).toMatchObject({ transactionIds: ['T-1', 'T-2'], returnIds: ['R-1'], lines: [{ sku: 'A', qty: 3, unitPrice: 100 }], tenders: [{ method: 'cash', amount: 200 }] });

    // A second device's sale of the same day arrives after the cut: queued, then due at once (the day has a summary).
    const dev2 = await createDevice(db.pool, STORE, 'd2');
    await send(db.pool, [makeEvent(dev2, 'sale.completed', sale('T-3', [{ sku: 'A', qty: 1 }]), hlcAt(wall++, 0, 'd2'))]);
    expect(await dueSummaryDays(db.pool, '04:00')).toEqual([{ storeId: STORE, businessDate: '2026-11-23' }]);
    const made = await withTransaction(db.pool, (tx) => cutDaySummary(tx, STORE, '2026-11-23', null));
    expect(made.map((p) => p.document)).toMatchObject([{ kind: 'day_summary', transactionIds: ['T-3'] }]);
    expect(await coveredBy()).toHaveLength(4);
    expect(await dueSummaryDays(db.pool, '04:00')).toEqual([]);
  });

  it('summary mode without a day close: the day is due once its cut-off has passed, not before', async () => {
    await putStoreSettings(db.pool, STORE, { postingMode: 'day_summary' }, '04:00');
    const today = new Date().toISOString().slice(0, 10);
    await send(db.pool, [
      makeEvent(dev, 'sale.completed', { ...sale('T-old', [{ sku: 'A', qty: 1 }]), businessDate: '2026-01-05' }, at()),
      makeEvent(dev, 'sale.completed', { ...sale('T-today', [{ sku: 'A', qty: 1 }]), businessDate: today }, at()),
    ]);
    expect(await dueSummaryDays(db.pool, '04:00')).toEqual([{ storeId: STORE, businessDate: '2026-01-05' }]);
  });
});
