import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

// Central's tables. Every table that grows with traffic (events, quarantine, commands) is keyed by store_id first
// (docs/adr/0005-store-first-keys.md), so it can later be distributed by store without changing queries.

/**
 * An HLC stamp column. Stamps are fixed-width strings whose byte order is stamp order, so PostgreSQL must compare
 * them byte-wise (COLLATE "C"), never by the database's locale.
 */
const hlcText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const stores = pgTable('stores', {
  storeId: text('store_id').primaryKey(),
  name: text('name').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  /** Highest seq of the store's command stream; bumped under the row lock, so the stream stays gap-free. */
  commandSeq: bigint('command_seq', { mode: 'number' }).notNull().default(0),
});

export const enrollmentCodes = pgTable(
  'enrollment_codes',
  {
    /** sha256 of the normalised code: the code itself is shown once and never stored. */
    codeHash: text('code_hash').primaryKey(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.storeId),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    usedByDevice: uuid('used_by_device'),
  },
  (t) => [index('enrollment_codes_store_idx').on(t.storeId)],
);

export const devices = pgTable(
  'devices',
  {
    deviceId: uuid('device_id').primaryKey(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.storeId),
    name: text('name').notNull(),
    /** sha256 of the device token; the token itself only ever exists on the device. */
    tokenHash: text('token_hash').notNull().unique(),
    /**
     * sha256 of a rotated token sent to the device but not yet confirmed. The handshake accepts it too (the agent
     * may have stored it and crashed before its ack); its ack, or a handshake made with it, makes it the token.
     */
    nextTokenHash: text('next_token_hash').unique(),
    /** When token_hash was issued (enrolment or rotation): the age OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS bounds. */
    tokenIssuedAt: ts('token_issued_at').notNull().defaultNow(),
    /** An operator asked for a rotation: done on the device's live connection, or at its next one. */
    rotateRequestedAt: ts('rotate_requested_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    revokedAt: ts('revoked_at'),
    /** Highest upstream seq stored OR quarantined: the device's stream is complete up to here. */
    storedSeq: bigint('stored_seq', { mode: 'number' }).notNull().default(0),
    appliedCommandSeq: bigint('applied_command_seq', { mode: 'number' }).notNull().default(0),
    lastSeenAt: ts('last_seen_at'),
    agentVersion: text('agent_version'),
    pendingUp: integer('pending_up'),
    lastError: text('last_error'),
    /** Free bytes on the device's data disk, as its agent last reported (disk_low alert). */
    diskFreeBytes: bigint('disk_free_bytes', { mode: 'number' }),
    /** The device's clock minus central's (ms), as the agent last reported it; null: never reported. */
    clockSkewMs: bigint('clock_skew_ms', { mode: 'number' }),
    /** The protocol version of the device's last connection (chosen at its handshake). */
    protocolVersion: integer('protocol_version'),
    /** A command the device's agent cannot apply (type or schema version unknown to it): its stream waits here. */
    heldCommandSeq: bigint('held_command_seq', { mode: 'number' }),
    heldCommandType: text('held_command_type'),
    heldCommandVersion: integer('held_command_version'),
    heldSince: ts('held_since'),
    /**
     * The offline budget as the agent last reported it: when the oldest event central does not have yet was
     * captured (null: none), and how many per kind. Null counts: the agent never reported (protocol before v3).
     */
    unsentOldestAt: ts('unsent_oldest_at'),
    unsentSales: integer('unsent_sales'),
    unsentReturns: integer('unsent_returns'),
    unsentCounts: integer('unsent_counts'),
    unsentOther: integer('unsent_other'),
  },
  (t) => [index('devices_store_idx').on(t.storeId)],
);

/**
 * PARTITIONED BY RANGE (event_month), one partition per month plus events_default (migration event_partitions, hand-written:
 * drizzle cannot declare partitioning; partitions are created ahead and old ones dropped by sync/partitions.ts).
 * PostgreSQL requires every unique key of a partitioned table to include the partition key, hence event_month in
 * both keys below. event_month is a function of event_id alone (sync/event-month.ts), so (store_id, event_id,
 * event_month) is exactly as unique as (store_id, event_id); docs/sync-identity.md gives the (device, seq) argument.
 */
export const events = pgTable(
  'events',
  {
    storeId: text('store_id').notNull(),
    eventId: uuid('event_id').notNull(),
    /** UTC month of the UUIDv7 timestamp in event_id ('YYYY-MM-01'; 1970-01-01 without one): the partition key. */
    eventMonth: date('event_month', { mode: 'string' }).notNull(),
    deviceId: uuid('device_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    /** Global arrival order: the cursor of GET /events. */
    position: bigserial('position', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    hlc: text('hlc').notNull(),
    occurredAt: ts('occurred_at').notNull(),
    correlationId: text('correlation_id').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.eventId, t.eventMonth] }),
    unique('events_store_device_seq_uq').on(t.storeId, t.deviceId, t.seq, t.eventMonth),
    index('events_position_idx').on(t.position),
    index('events_store_position_idx').on(t.storeId, t.position),
    // R7: a return names its sale by POS transaction id; this finds a store's sale by it without a second table.
    index('events_sale_tx_idx')
      .on(t.storeId, sql`(payload->>'transactionId')`)
      .where(sql`type = 'sale.completed'`),
    // A store's sales and returns of one business day: reconciliation and the sales/returns reports.
    index('events_business_day_idx')
      .on(t.storeId, sql`(payload->>'businessDate')`)
      .where(sql`type IN ('sale.completed', 'return.received')`),
    // Time windows over arrival (ingest-rate report): BRIN, a few pages for a table that only grows in time order.
    index('events_received_at_brin').using('brin', t.receivedAt),
  ],
);

export const quarantine = pgTable(
  'quarantine',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    storeId: text('store_id').notNull(),
    deviceId: uuid('device_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    eventId: uuid('event_id'),
    /** The element exactly as received (JSON text), so a replay re-validates what the store sent. */
    raw: text('raw').notNull(),
    error: text('error').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    status: text('status', { enum: ['open', 'replayed'] }).notNull().default('open'),
    replayedAt: ts('replayed_at'),
  },
  (t) => [index('quarantine_store_id_idx').on(t.storeId, t.id), index('quarantine_status_idx').on(t.status).where(sql`status = 'open'`)],
);

export const commands = pgTable(
  'commands',
  {
    storeId: text('store_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    commandId: uuid('command_id').notNull(),
    type: text('type').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    payload: jsonb('payload').notNull(),
    correlationId: text('correlation_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.seq] })],
);

export const items = pgTable('items', {
  sku: text('sku').primaryKey(),
  name: text('name').notNull(),
  price: bigint('price', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  version: integer('version').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

// ---- inventory (docs/rules.md R3, R7): one row per (store, sku), plus the facts it is derived from.

export const inventory = pgTable(
  'inventory',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    /** Sellable on-hand. Accumulators are int8: sums of int4 line quantities overflow int4 (two sales of 1.5e9). */
    onHand: bigint('on_hand', { mode: 'number' }).notNull().default(0),
    damaged: bigint('damaged', { mode: 'number' }).notNull().default(0),
    quarantine: bigint('quarantine', { mode: 'number' }).notNull().default(0),
    /** HLC of the count on-hand is based on (the latest count); movements at or before it do not move on-hand. */
    baseCountHlc: hlcText('base_count_hlc'),
    /** Units open reservations hold (R4), kept in the same transactions that change them. */
    reserved: bigint('reserved', { mode: 'number' }).notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sku] })],
);

export const inventoryMovements = pgTable(
  'inventory_movements',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    hlc: hlcText('hlc').notNull(),
    /** Event id, or 'receipt:<receiptId>' for receipts booked centrally: with line_no, the idempotency key. */
    sourceId: text('source_id').notNull(),
    lineNo: integer('line_no').notNull(),
    qty: integer('qty').notNull(),
    bucket: text('bucket', { enum: ['sellable', 'damaged', 'quarantine'] }).notNull(),
  },
  // One B-tree does both jobs: the range scans of a count recompute (store, sku, hlc prefix) and uniqueness of a
  // movement (source, line); a second index would double the cost of the hottest insert of the merge.
  (t) => [primaryKey({ columns: [t.storeId, t.sku, t.hlc, t.sourceId, t.lineNo] })],
);

export const inventoryCounts = pgTable(
  'inventory_counts',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    hlc: hlcText('hlc').notNull(),
    sourceId: text('source_id').notNull(),
    countedQty: integer('counted_qty').notNull(),
    /** On-hand the books expected at the count's hlc; variance = counted − expected (accuracy, ERP adjustment). */
    expected: bigint('expected', { mode: 'number' }).notNull(),
    variance: bigint('variance', { mode: 'number' }).notNull(),
    status: text('status', { enum: ['active', 'superseded'] }).notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sourceId, t.sku] }), index('inventory_counts_sku_hlc_idx').on(t.storeId, t.sku, t.hlc)],
);

export const conflicts = pgTable(
  'conflicts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    storeId: text('store_id').notNull(),
    sku: text('sku'),
    kind: text('kind').notNull(),
    inputs: jsonb('inputs').notNull(),
    resolution: text('resolution').notNull(),
    correlationId: text('correlation_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('conflicts_store_id_idx').on(t.storeId, t.id),
    index('conflicts_kind_id_idx').on(t.kind, t.id),
    // An sku missing from the item master is listed once per store, not once per sale: a busy store selling a
    // new item before head office adds it would otherwise bury every other conflict.
    uniqueIndex('conflicts_unknown_sku_once').on(t.storeId, t.sku).where(sql`kind = 'unknown_sku'`),
  ],
);

/** R7: every return that names its original sale; sale_event_id stays null until central has seen that sale. */
export const returnLinks = pgTable(
  'return_links',
  {
    storeId: text('store_id').notNull(),
    returnEventId: uuid('return_event_id').notNull(),
    originalTransactionId: text('original_transaction_id').notNull(),
    saleEventId: uuid('sale_event_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    linkedAt: ts('linked_at'),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.returnEventId] }),
    index('return_links_unlinked_idx').on(t.storeId, t.originalTransactionId).where(sql`sale_event_id IS NULL`),
  ],
);

/** Receipts booked centrally; the first booking's answer is returned to a repeated request (idempotency). */
export const receipts = pgTable(
  'receipts',
  {
    storeId: text('store_id').notNull(),
    receiptId: text('receipt_id').notNull(),
    hlc: hlcText('hlc').notNull(),
    lines: jsonb('lines').notNull(),
    commandSeq: bigint('command_seq', { mode: 'number' }).notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.receiptId] })],
);

// ---- reservations (docs/rules.md R4, R5; issue 4)

export const reservations = pgTable(
  'reservations',
  {
    /** Position for list paging only. */
    id: bigserial('id', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    reservationId: text('reservation_id').notNull(),
    orderId: text('order_id').notNull(),
    status: text('status').notNull(),
    /** [{sku, qty, pickedQty}] */
    lines: jsonb('lines').notNull(),
    allowReroute: boolean('allow_reroute').notNull().default(false),
    expiresAt: ts('expires_at').notNull(),
    /** Seq of the reservation.created command: an agent ack at or past it means delivered. */
    commandSeq: bigint('command_seq', { mode: 'number' }).notNull(),
    /** Bumped by every transition: the webhook's idempotency key and an optimistic check. */
    version: integer('version').notNull().default(1),
    reroutedFrom: text('rerouted_from'),
    reroutedTo: text('rerouted_to'),
    /** R4: a reroute was tried for the current at_risk episode (one try; then it is an exception). */
    rerouteTried: boolean('reroute_tried').notNull().default(false),
    /**
     * The store events that took effect as this reservation's pick and its handover. A later pick or handover of
     * the same reservation (a till restored from an older copy does it again) is stored, logged as a repeat and
     * not applied: the goods leave on-hand once.
     */
    pickEventId: uuid('pick_event_id'),
    pickupEventId: uuid('pickup_event_id'),
    correlationId: text('correlation_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.reservationId] }),
    uniqueIndex('reservations_reservation_id_idx').on(t.reservationId),
    uniqueIndex('reservations_id_idx').on(t.id),
    // An order reserves a store once while open: a retried POST finds the first reservation instead of a second.
    uniqueIndex('reservations_open_order_idx')
      .on(t.storeId, t.orderId)
      .where(sql`status IN ('requested', 'delivered', 'at_risk', 'picked', 'short_picked')`),
    index('reservations_undelivered_idx').on(t.storeId, t.commandSeq).where(sql`status = 'requested'`),
    index('reservations_open_expiry_idx').on(t.expiresAt).where(sql`status IN ('requested', 'delivered', 'at_risk', 'picked', 'short_picked')`),
    index('reservations_at_risk_idx').on(t.storeId).where(sql`status = 'at_risk'`),
    // The sweeper finishes reroutes a crash interrupted by looking reservations up by their origin.
    index('reservations_rerouted_from_idx').on(t.reroutedFrom).where(sql`rerouted_from IS NOT NULL`),
  ],
);

/** Every status change of a reservation, timestamped and correlated to its order. */
export const reservationTransitions = pgTable(
  'reservation_transitions',
  {
    storeId: text('store_id').notNull(),
    reservationId: text('reservation_id').notNull(),
    version: integer('version').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    correlationId: text('correlation_id').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.reservationId, t.version] })],
);

/** Transactional outbox of the order-system webhook: written with the transition, delivered by a worker. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    storeId: text('store_id').notNull(),
    reservationId: text('reservation_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    body: jsonb('body').notNull(),
    status: text('status', { enum: ['pending', 'retrying', 'delivered', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_key_idx').on(t.idempotencyKey),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status IN ('pending', 'retrying')`),
    index('webhook_deliveries_reservation_idx').on(t.reservationId, t.id),
  ],
);

/** The table @socket.io/postgres-adapter uses to pass large packets between central nodes (its own layout). */
export const socketIoAttachments = pgTable('socket_io_attachments', {
  id: bigserial('id', { mode: 'number' }).unique(),
  createdAt: ts('created_at').defaultNow(),
  payload: customType<{ data: Buffer }>({ dataType: () => 'bytea' })('payload'),
});

// ---- ERP posting (docs/erp.md; issue 5): a transactional outbox of postings, written in the ingest transaction.

/** One document for the ERP. Its posting_id is the ERP-side external reference (looked up before creating). */
export const erpPostings = pgTable(
  'erp_postings',
  {
    postingId: uuid('posting_id').notNull(),
    /** Creation order: a store's postings go to the ERP in this order; also the list cursor. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    kind: text('kind', { enum: ['sale', 'return', 'count', 'day_summary'] }).notNull(),
    businessDate: text('business_date').notNull(),
    correlationId: text('correlation_id').notNull(),
    /** The store event a per-document posting comes from (null for a day summary, which covers many). */
    sourceEventId: uuid('source_event_id'),
    /** The ErpDocument as handed to the connector. */
    document: jsonb('document').notNull(),
    status: text('status', { enum: ['pending', 'posted', 'retrying', 'dead'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    errorDetails: jsonb('error_details'),
    /** Warnings the ERP raised on the posting and the connector acknowledged by configuration (Tryton's words). */
    warnings: jsonb('warnings').$type<string[]>(),
    erpRef: text('erp_ref'),
    connector: text('connector'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    postedAt: ts('posted_at'),
  },
  (t) => [
    // Keyed by store first (docs/adr/0005-store-first-keys.md: the posting tables can be distributed by store); the id alone is indexed for
    // the API's look-ups by posting id.
    primaryKey({ columns: [t.storeId, t.postingId] }),
    index('erp_postings_posting_idx').on(t.postingId),
    index('erp_postings_seq_idx').on(t.seq),
    uniqueIndex('erp_postings_source_idx').on(t.storeId, t.sourceEventId).where(sql`source_event_id IS NOT NULL`),
    // The head of each store's open postings (the worker's claim) and the list by status.
    index('erp_postings_store_open_idx').on(t.storeId, t.seq).where(sql`status IN ('pending', 'retrying')`),
    index('erp_postings_status_seq_idx').on(t.status, t.seq),
    index('erp_postings_store_day_idx').on(t.storeId, t.businessDate),
  ],
);

/** Which posting covers which store event: each sale, return or count is covered by exactly one posting. */
export const erpPostingEvents = pgTable(
  'erp_posting_events',
  {
    storeId: text('store_id').notNull(),
    eventId: uuid('event_id').notNull(),
    postingId: uuid('posting_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.eventId] }), index('erp_posting_events_posting_idx').on(t.storeId, t.postingId)],
);

/** Summary mode: sales and returns waiting for their store's day summary (cut by day.closed or the cut-off). */
export const erpDayPending = pgTable(
  'erp_day_pending',
  {
    storeId: text('store_id').notNull(),
    businessDate: text('business_date').notNull(),
    eventId: uuid('event_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.businessDate, t.eventId] })],
);

/** Per-store posting settings, changed through the admin API; a store without a row posts one document per sale. */
export const erpStoreSettings = pgTable('erp_store_settings', {
  storeId: text('store_id').primaryKey(),
  postingMode: text('posting_mode', { enum: ['per_sale', 'day_summary'] }).notNull().default('per_sale'),
  /** "HH:MM" UTC on the day after the business day: a summary not closed by day.closed is cut then. Null = default. */
  summaryCutoff: text('summary_cutoff'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** One worker at a time per store (any node): a lease that runs out if its node dies. */
export const erpStoreLeases = pgTable('erp_store_leases', {
  storeId: text('store_id').primaryKey(),
  owner: text('owner'),
  leasedUntil: ts('leased_until').notNull().default(sql`'epoch'::timestamptz`),
});

/** The `ledger` connector's books: one journal entry per posting (posting_id unique = exactly once). */
export const erpLedgerEntries = pgTable(
  'erp_ledger_entries',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    postingId: uuid('posting_id').notNull(),
    storeId: text('store_id').notNull(),
    businessDate: text('business_date').notNull(),
    kind: text('kind').notNull(),
    currency: text('currency'),
    correlationId: text('correlation_id').notNull(),
    description: text('description').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.id] }),
    uniqueIndex('erp_ledger_entries_store_posting_idx').on(t.storeId, t.postingId),
    // The connector's look-up by reference alone (ErpConnector.lookup names no store).
    index('erp_ledger_entries_posting_idx').on(t.postingId),
    index('erp_ledger_entries_id_idx').on(t.id),
    index('erp_ledger_entries_store_day_idx').on(t.storeId, t.businessDate, t.id),
  ],
);

/** Double-entry lines of a ledger entry: for every entry, sum(debit) = sum(credit). */
export const erpLedgerLines = pgTable(
  'erp_ledger_lines',
  {
    storeId: text('store_id').notNull(),
    entryId: bigint('entry_id', { mode: 'number' }).notNull(),
    lineNo: integer('line_no').notNull(),
    account: text('account').notNull(),
    debit: bigint('debit', { mode: 'number' }).notNull().default(0),
    credit: bigint('credit', { mode: 'number' }).notNull().default(0),
    memo: text('memo'),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.entryId, t.lineNo] })],
);

/** Stock moves of a ledger entry: quantity from one location to another (store buckets, customer, adjustment). */
export const erpLedgerStockMoves = pgTable(
  'erp_ledger_stock_moves',
  {
    entryId: bigint('entry_id', { mode: 'number' }).notNull(),
    lineNo: integer('line_no').notNull(),
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    qty: bigint('qty', { mode: 'number' }).notNull(),
    fromLocation: text('from_location').notNull(),
    toLocation: text('to_location').notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.entryId, t.lineNo] }), index('erp_ledger_stock_moves_store_sku_idx').on(t.storeId, t.sku)],
);

// ---- Fleet alerts (issue 16): what needs an operator now, with its start time; closed rows stay as history.
export const alerts = pgTable(
  'alerts',
  {
    alertId: uuid('alert_id').primaryKey(),
    /** kind + store: one open alert per condition. */
    key: text('key').notNull(),
    kind: text('kind').notNull(),
    storeId: text('store_id'),
    severity: text('severity', { enum: ['warning', 'critical'] }).notNull(),
    since: ts('since').notNull(),
    detail: text('detail').notNull(),
    closedAt: ts('closed_at'),
  },
  (t) => [
    uniqueIndex('alerts_open_key_idx').on(t.key).where(sql`closed_at IS NULL`),
    index('alerts_store_idx').on(t.storeId, t.since),
  ],
);

/** Alert open/close notices for the optional webhook: written in the transaction that opens or closes the alert. */
export const alertNotices = pgTable(
  'alert_notices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    alertId: uuid('alert_id').notNull(),
    body: jsonb('body').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('alert_notices_due_idx').on(t.id).where(sql`status = 'pending'`)],
);

/**
 * API tokens beside the bootstrap admin token, each with one role (admin, operator, viewer, integration). Only
 * the sha256 of the secret is kept: the secret is shown once, when the token is made.
 */
export const apiTokens = pgTable('api_tokens', {
  tokenId: uuid('token_id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: ts('created_at').notNull().defaultNow(),
  createdBy: text('created_by').notNull(),
  revokedAt: ts('revoked_at'),
});

/**
 * Who changed what: one row per change an operator or token made, appended and never updated or deleted (a
 * trigger in the migration refuses both).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull().defaultNow(),
    /** `bootstrap` for the admin token given at start, else the api_tokens id. */
    tokenId: text('token_id').notNull(),
    tokenName: text('token_name').notNull(),
    role: text('role').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    storeId: text('store_id'),
    correlationId: text('correlation_id').notNull(),
    sourceAddress: text('source_address').notNull(),
    status: integer('status').notNull(),
  },
  (t) => [index('audit_log_action_idx').on(t.action, t.seq), index('audit_log_store_idx').on(t.storeId, t.seq)],
);

/** Till files a store's agent rejected, as it reported them (issue 16): shown at central, raise import_rejected. */
export const importRejections = pgTable(
  'import_rejections',
  {
    storeId: text('store_id').notNull(),
    deviceId: uuid('device_id').notNull(),
    file: text('file').notNull(),
    line: integer('line'),
    reason: text('reason').notNull(),
    rejectedAt: ts('rejected_at').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    /** An operator saw to it (the file was fixed and dropped again): no longer raises the alert. */
    clearedAt: ts('cleared_at'),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.deviceId, t.file, t.rejectedAt] }), index('import_rejections_open_idx').on(t.storeId).where(sql`cleared_at IS NULL`)],
);
