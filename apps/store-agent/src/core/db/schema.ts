import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The agent's local database. Every fact captured in the store is first an outbox row; nothing leaves the
 * store until central has acked it, and `sync_state.acked_seq` (a high-water mark) is how rows are marked
 * forwarded, so marking is one atomic UPDATE however many rows it covers.
 */

/** Exactly one row (id = 1): identity and the cursors of both directions. */
export const syncState = sqliteTable('sync_state', {
  id: integer('id').primaryKey(),
  storeId: text('store_id').notNull(),
  deviceId: text('device_id').notNull(),
  /** Highest seq captured; the next capture takes last_seq + 1 (gap-free per device). */
  lastSeq: integer('last_seq').notNull().default(0),
  /** Last HLC stamp issued, so a restart never issues an older one. */
  lastHlc: text('last_hlc'),
  /** Highest seq central has acked (stored or quarantined). Rows above it are the pending outbox. */
  ackedSeq: integer('acked_seq').notNull().default(0),
  /** Highest downstream command seq applied locally. */
  appliedCommandSeq: integer('applied_command_seq').notNull().default(0),
  lastSyncAt: text('last_sync_at'),
  lastError: text('last_error'),
  /** This PC's clock minus central's, measured at the last hello (null: never connected). */
  clockSkewMs: integer('clock_skew_ms'),
  clockSkewAt: text('clock_skew_at'),
  /** When this agent last lost (or had not yet made) contact with central; null while connected. */
  offlineSince: text('offline_since'),
  /**
   * 1: this till holds no store picture yet (a data folder created by this version, or re-seeded): its hello asks
   * central for a `seed`. Cleared in the transaction that applies the seed. Folders of older versions stay 0.
   */
  seedWanted: integer('seed_wanted').notNull().default(0),
  /** The store's command seq the applied seed was read at, and when it was applied (null: never seeded). */
  seededAtSeq: integer('seeded_at_seq'),
  seededAt: text('seeded_at'),
});

export const outbox = sqliteTable(
  'outbox',
  {
    seq: integer('seq').primaryKey(),
    eventId: text('event_id').notNull().unique(),
    type: text('type').notNull(),
    /** The exact JSON of the envelope, shipped as-is (PERF.md: pre-serialised batches are cheaper). */
    body: text('body').notNull(),
    /** Denormalised from the payload so a day close finds its day's events through an index. */
    businessDate: text('business_date'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('outbox_day_idx').on(t.businessDate, t.type)],
);

/** A POS document id captured twice yields the first event: this table remembers which one. */
export const captureKeys = sqliteTable(
  'capture_keys',
  {
    kind: text('kind').notNull(),
    docId: text('doc_id').notNull(),
    eventId: text('event_id').notNull(),
    seq: integer('seq').notNull(),
  },
  // By seq: retention deletes the keys of the events it deletes, and renumbering moves keys by seq range.
  (t) => [primaryKey({ columns: [t.kind, t.docId] }), index('capture_keys_seq_idx').on(t.seq)],
);

/** Item master as pushed by central (R6: only newer versions apply). */
export const items = sqliteTable('items', {
  sku: text('sku').primaryKey(),
  name: text('name').notNull(),
  price: integer('price').notNull(),
  currency: text('currency').notNull(),
  version: integer('version').notNull(),
});

/**
 * Reservations central sent down (picks to do). status: delivered → picked | short_picked → collected, or
 * cancelled / expired by central. lines: JSON [{sku, qty, pickedQty}] (pickedQty null until picked).
 */
export const reservations = sqliteTable(
  'reservations',
  {
    reservationId: text('reservation_id').primaryKey(),
    orderId: text('order_id').notNull(),
    status: text('status').notNull(),
    lines: text('lines').notNull(),
    expiresAt: text('expires_at'),
    createdSeq: integer('created_seq').notNull(),
    updatedAt: text('updated_at').notNull(),
    /** Central's correlation id of the reservation: carried into the pick and handover events. */
    correlationId: text('correlation_id'),
    createdAt: text('created_at'),
    /** Why central closed it (cancelled / expired). */
    closeReason: text('close_reason'),
  },
  (t) => [index('reservations_status_idx').on(t.status)],
);

/** Tasks for the associates; today: put picked goods back on the shelf (R5, a cancelled reservation). */
export const tasks = sqliteTable('tasks', {
  taskId: text('task_id').primaryKey(),
  kind: text('kind').notNull(),
  reservationId: text('reservation_id').notNull(),
  /** JSON [{sku, qty}] */
  lines: text('lines').notNull(),
  reason: text('reason').notNull(),
  /** open | done */
  status: text('status').notNull(),
  createdAt: text('created_at').notNull(),
  doneAt: text('done_at'),
});

export const receivedStock = sqliteTable('received_stock', {
  receiptId: text('receipt_id').primaryKey(),
  lines: text('lines').notNull(),
  appliedAt: text('applied_at').notNull(),
});

/** Journal of every command taken off the stream, in the order it was applied: proves exactly-once, in order. */
export const appliedCommands = sqliteTable('applied_commands', {
  appliedOrder: integer('applied_order').primaryKey({ autoIncrement: true }),
  seq: integer('seq').notNull().unique(),
  commandId: text('command_id'),
  type: text('type').notNull(),
  /** applied | ignored_old_version | ignored_closed | ignored_not_newer | unknown_target | quarantined */
  outcome: text('outcome').notNull(),
  appliedAt: text('applied_at').notNull(),
});

/** Commands that could not be understood: kept with the reason, never dropped, never blocking the stream. */
export const commandQuarantine = sqliteTable('command_quarantine', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  seq: integer('seq').notNull(),
  raw: text('raw').notNull(),
  error: text('error').notNull(),
  createdAt: text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

/**
 * The store's own stock picture, kept incrementally (docs/rules.md R3 replayed locally). It is PARTIAL by design:
 * the agent sees only this device's captured events plus central's receipts (stock.received), so on a store with
 * several tills the other tills' sales are missing here until central's inventory is consulted.
 */
export const stock = sqliteTable('stock', {
  sku: text('sku').primaryKey(),
  /** Sellable on-hand: the base count plus every sellable movement later than it (or all of them, uncounted). */
  onHand: integer('on_hand').notNull().default(0),
  damaged: integer('damaged').notNull().default(0),
  quarantine: integer('quarantine').notNull().default(0),
  /** hlc and source of the count on-hand is based on (the latest by hlc); null while never counted. */
  baseCountHlc: text('base_count_hlc'),
  baseCountSource: text('base_count_source'),
});

/**
 * Facts behind `stock` that a count may need to recompute on-hand from the movements stamped after it: central's
 * receipts (foreign hlc stamps, possibly later than a local count) and the counts themselves. Movements captured
 * on this device are not repeated here (see LocalStock.record): they stay in the outbox, and the device clock
 * stamps them before any later local count.
 */
export const stockFacts = sqliteTable(
  'stock_facts',
  {
    sourceId: text('source_id').notNull(),
    lineNo: integer('line_no').notNull(),
    sku: text('sku').notNull(),
    hlc: text('hlc').notNull(),
    /** move | count */
    kind: text('kind').notNull(),
    /** Signed movement quantity, or the counted quantity of a count. */
    qty: integer('qty').notNull(),
    /** sellable | damaged | quarantine (counts are of sellable stock). */
    bucket: text('bucket').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.lineNo] }), index('stock_facts_sku_hlc_idx').on(t.sku, t.hlc)],
);

/** Till files the POS inbox rejected, kept until central acknowledged the report (issue 16). */
export const importReports = sqliteTable('import_reports', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  file: text('file').notNull(),
  line: integer('line'),
  reason: text('reason').notNull(),
  rejectedAt: text('rejected_at').notNull(),
  reportedAt: text('reported_at'),
});
