import { randomUUID } from 'node:crypto';
import { encodeHlc, uuidv7, type BatchAck, type EventEnvelope, type EventPayloadMap, type EventType } from '@outpost/shared';
import type pg from 'pg';
import { noFaults } from '../../apps/central/src/platform/faults.js';
import { ingestBatch, type BatchInput, type DeviceRevoked } from '../../apps/central/src/sync/ingest.js';
import type { ReservationSettings } from '../../apps/central/src/reservations/settings.js';

// Test support for the inventory merge: devices that make real envelopes, and a sender that goes through the
// real ingest function (seq checks, duplicates, the transaction) exactly as the socket gateway does.

export const FIXTURE_LIMITS = { maxBatchEvents: 1000, maxBatchBytes: 4_194_304, maxInFlight: 4 };

export function hlcAt(wall: number, counter: number, node: string): string {
  return encodeHlc({ wall, counter, node });
}

export interface TestDevice {
  storeId: string;
  deviceId: string;
  node: string;
  nextSeq: number;
}

export async function createStore(pool: pg.Pool, storeId: string): Promise<void> {
  await pool.query('INSERT INTO stores (store_id, name) VALUES ($1, $1)', [storeId]);
}

export async function createDevice(pool: pg.Pool, storeId: string, node: string): Promise<TestDevice> {
  const deviceId = uuidv7();
  await pool.query(`INSERT INTO devices (device_id, store_id, name, token_hash) VALUES ($1, $2, $3, $4)`, [deviceId, storeId, node, randomUUID()]);
  return { storeId, deviceId, node, nextSeq: 1 };
}

/** The next event of a device (seq assigned in capture order, like the agent's outbox). */
export function makeEvent<T extends EventType>(dev: TestDevice, type: T, payload: EventPayloadMap[T], hlc: string, schemaVersion = 1): EventEnvelope {
  const seq = dev.nextSeq++;
  return {
    eventId: uuidv7(),
    storeId: dev.storeId,
    deviceId: dev.deviceId,
    seq,
    hlc,
    occurredAt: new Date().toISOString(),
    type,
    schemaVersion,
    correlationId: `corr-${dev.node}-${seq}`,
    payload,
  } as EventEnvelope;
}

export function batchOf(events: readonly EventEnvelope[]): BatchInput {
  return { firstSeq: events[0]!.seq, count: events.length, events: Buffer.from(JSON.stringify(events)) };
}

export async function send(
  pool: pg.Pool,
  events: readonly EventEnvelope[],
  opts: { inventory?: boolean; reservations?: ReservationSettings } = {},
): Promise<BatchAck | DeviceRevoked> {
  const first = events[0]!;
  return ingestBatch(
    {
      pool,
      limits: FIXTURE_LIMITS,
      faults: noFaults,
      log: { error: (obj, msg) => console.error(msg, obj) },
      ...(opts.inventory === undefined ? {} : { inventory: opts.inventory }),
      ...(opts.reservations === undefined ? {} : { reservations: opts.reservations }),
    },
    { storeId: first.storeId, deviceId: first.deviceId },
    batchOf(events),
  );
}

export const sale = (transactionId: string, lines: { sku: string; qty: number }[]): EventPayloadMap['sale.completed'] => ({
  transactionId,
  businessDate: '2026-11-23',
  currency: 'EUR',
  lines: lines.map((l) => ({ ...l, unitPrice: 100 })),
  tenders: [{ method: 'cash', amount: 100 }],
});

export const ret = (
  returnId: string,
  lines: { sku: string; qty: number; disposition: 'restock' | 'damaged' | 'quarantine' }[],
  originalTransactionId?: string,
): EventPayloadMap['return.received'] => ({
  returnId,
  ...(originalTransactionId === undefined ? {} : { originalTransactionId }),
  businessDate: '2026-11-23',
  currency: 'EUR',
  lines: lines.map((l) => ({ ...l, refundAmount: 100, reasonCode: 'r' })),
});

export const count = (countId: string, lines: { sku: string; countedQty: number }[]): EventPayloadMap['count.submitted'] => ({ countId, kind: 'cycle', lines });

export const adjust = (adjustmentId: string, lines: { sku: string; qtyDelta: number }[]): EventPayloadMap['stock.adjusted'] => ({
  adjustmentId,
  reasonCode: 'r',
  lines,
});

export interface InventoryState {
  onHand: number;
  damaged: number;
  quarantine: number;
}

export async function inventoryOf(pool: pg.Pool, storeId: string): Promise<Map<string, InventoryState>> {
  const r = await pool.query<{ sku: string; on_hand: string; damaged: string; quarantine: string }>(
    'SELECT sku, on_hand, damaged, quarantine FROM inventory WHERE store_id = $1',
    [storeId],
  );
  return new Map(r.rows.map((x) => [x.sku, { onHand: Number(x.on_hand), damaged: Number(x.damaged), quarantine: Number(x.quarantine) }]));
}
