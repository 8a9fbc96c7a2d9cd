import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

// Central's tables. Every table that grows with traffic (events, quarantine, commands) is keyed by store_id first
// (DESIGN §7), so it can later be distributed by store without changing queries.

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
    createdAt: ts('created_at').notNull().defaultNow(),
    revokedAt: ts('revoked_at'),
    /** Highest upstream seq stored OR quarantined: the device's stream is complete up to here. */
    storedSeq: bigint('stored_seq', { mode: 'number' }).notNull().default(0),
    appliedCommandSeq: bigint('applied_command_seq', { mode: 'number' }).notNull().default(0),
    lastSeenAt: ts('last_seen_at'),
    agentVersion: text('agent_version'),
    pendingUp: integer('pending_up'),
    lastError: text('last_error'),
  },
  (t) => [index('devices_store_idx').on(t.storeId)],
);

export const events = pgTable(
  'events',
  {
    storeId: text('store_id').notNull(),
    eventId: uuid('event_id').notNull(),
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
    primaryKey({ columns: [t.storeId, t.eventId] }),
    unique('events_store_device_seq_uq').on(t.storeId, t.deviceId, t.seq),
    index('events_position_idx').on(t.position),
    index('events_store_position_idx').on(t.storeId, t.position),
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
