import { z } from 'zod';
import { currencySchema, minorUnitsSchema } from '../money.js';
import { businessIdSchema, positiveQtySchema, rawEnvelopeSchema } from '../events.js';
import { storableString } from '../bounds.js';
import { limitSchema, listResponse, textFilterSchema } from './common.js';

export * from './reservations.js';
export * from './alerts.js';

/** Store ids also appear in URLs and file names: letters, digits, dot, dash, underscore. */
export const storeIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'storeId may hold letters, digits, ".", "-" and "_" only');

export const createStoreBody = z.object({ storeId: storeIdSchema, name: storableString(1, 200) });
export const createStoreResponse = z.object({ storeId: z.string(), enrollmentCode: z.string() });
export const enrollmentCodeResponse = z.object({ enrollmentCode: z.string() });
export const storeParams = z.object({ storeId: storeIdSchema });

export const enrollBody = z.object({ code: storableString(1, 128), deviceName: storableString(1, 200) });
export const enrollResponse = z.object({ storeId: z.string(), deviceId: z.uuid(), token: z.string() });

export const deviceParams = z.object({ deviceId: z.uuid() });
export const revokeResponse = z.object({ deviceId: z.uuid(), revokedAt: z.string() });
/** A token rotation was asked for: done now if the device is connected (to any node), else at its next connection. */
export const rotateResponse = z.object({ deviceId: z.uuid(), requestedAt: z.string() });

export const deviceStatusSchema = z.object({
  deviceId: z.uuid(),
  name: z.string(),
  online: z.boolean(),
  lastSeenAt: z.string().nullable(),
  agentVersion: z.string().nullable(),
  /** Highest upstream seq central has stored and acked for this device. */
  ackedSeq: z.number().int(),
  /** Highest command seq the device has applied and acked. */
  appliedCommandSeq: z.number().int(),
  /** Commands of the store waiting at central for this device. */
  pendingCommands: z.number().int(),
  /** Events waiting at the store, as the agent last reported them. */
  pendingUp: z.number().int().nullable(),
  lastError: z.string().nullable(),
  /** The device's clock minus central's (ms), as the agent last reported it (null: not reported yet). */
  clockSkewMs: z.number().int().nullable(),
  revokedAt: z.string().nullable(),
  /** The protocol version of the device's last connection (null: never connected). */
  protocolVersion: z.number().int().nullable(),
  /** A command this device's agent cannot apply (its version is unknown to it): the device's stream waits there until it is upgraded. */
  heldCommand: z.object({ seq: z.number().int(), type: z.string(), schemaVersion: z.number().int(), since: z.string().nullable() }).nullable(),
  /** The device's offline budget as its agent last reported it (null: not reported; agents before protocol v3). */
  unsent: z
    .object({ oldestAt: z.string().nullable(), sales: z.number().int(), returns: z.number().int(), counts: z.number().int(), other: z.number().int() })
    .nullable(),
});
export const storeStatusSchema = z.object({
  storeId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  online: z.boolean(),
  /** Commands in the store's stream (highest command seq). */
  commandSeq: z.number().int(),
  devices: z.array(deviceStatusSchema),
  /** The store's worst state, in this order: error, offline, lagging, online. */
  status: z.enum(['error', 'offline', 'lagging', 'online']),
  /** Events waiting at the store (all its devices, as they last reported). */
  pendingUp: z.number().int(),
  /** Open alerts of the store. */
  alerts: z.number().int(),
  /** No device connected: since when central last heard from the store (null: online, or never connected). */
  offlineSince: z.string().nullable(),
  /**
   * Since when the store holds business central does not have: the oldest event its devices reported unsent, or,
   * offline, the moment contact was lost if earlier (anything sold since is unsent too). null: nothing known waiting.
   */
  atRiskSince: z.string().nullable(),
});
export const fleetStatusSchema = z.enum(['online', 'offline', 'lagging', 'error']);
export const fleetSortSchema = z.enum(['worst', 'store', 'name', 'lastSeen', 'pending', 'atRisk']);
export const storesQuery = z.object({
  /** Part of a store id, store name, device name or device id (case-insensitive). */
  q: storableString(0, 128).optional(),
  /** online: a device connected; offline: none; lagging: events or commands waiting; error: a device error or an open alert. */
  status: fleetStatusSchema.optional(),
  /** worst (default): errors, then offline, then lagging, then the rest; each by store id. atRisk: longest at risk (atRiskSince) first. */
  sort: fleetSortSchema.default('worst'),
  after: storableString(0, 512).optional(),
  limit: limitSchema,
});
export const fleetSummarySchema = z.object({
  stores: z.number().int(),
  online: z.number().int(),
  offline: z.number().int(),
  lagging: z.number().int(),
  error: z.number().int(),
  /** Events waiting at stores, fleet-wide. */
  pendingUp: z.number().int(),
  /** Commands waiting at central, fleet-wide (each store's furthest-behind device). */
  commandsWaiting: z.number().int(),
  alerts: z.object({ critical: z.number().int(), warning: z.number().int() }),
  /** Enrolled devices (not revoked) per agent release and protocol version: how far a rollout has got. */
  versions: z.array(
    z.object({ agentVersion: z.string().nullable(), protocolVersion: z.number().int().nullable(), stores: z.number().int(), devices: z.number().int() }),
  ),
  /** Devices whose stream waits on a command their agent cannot apply (an upgrade is due). */
  commandsHeld: z.number().int(),
});
export const storesResponse = listResponse(storeStatusSchema);

export const eventsQuery = z.object({
  storeId: textFilterSchema.optional(),
  type: textFilterSchema.optional(),
  /** The POS document: a sale's transactionId, a return's returnId or a count's countId (reconciliation drill-down). */
  documentId: storableString(1, 128).optional(),
  after: z.string().regex(/^\d+$/, 'after must be a cursor returned as next').optional(),
  limit: limitSchema,
});
export const storedEventSchema = rawEnvelopeSchema.extend({ receivedAt: z.string() });
export const eventsResponse = listResponse(storedEventSchema);

export const quarantineItemSchema = z.object({
  id: z.string(),
  storeId: z.string(),
  deviceId: z.string(),
  seq: z.number().int(),
  eventId: z.string().nullable(),
  error: z.string(),
  raw: z.unknown(),
  receivedAt: z.string(),
  status: z.enum(['open', 'replayed']),
  replayedAt: z.string().nullable(),
});
export const quarantineQuery = z.object({
  storeId: textFilterSchema.optional(),
  status: z.enum(['open', 'replayed']).optional(),
  after: z.string().regex(/^\d+$/).optional(),
  limit: limitSchema,
});
export const quarantineResponse = listResponse(quarantineItemSchema);
export const quarantineParams = z.object({ id: z.string().regex(/^\d+$/) });

export const itemParams = z.object({ sku: businessIdSchema });
export const putItemBody = z.object({ name: storableString(1, 256), price: minorUnitsSchema, currency: currencySchema });
export const itemSchema = z.object({
  sku: z.string(),
  name: z.string(),
  price: z.number().int(),
  currency: z.string(),
  version: z.number().int(),
  updatedAt: z.string(),
});
export const quarantineReplayResponse = z.object({ id: z.string(), status: z.literal('replayed'), eventId: z.string() });

// ---- inventory, counts, conflicts, receipts (issue 3)

/** Composite-key lists (inventory, counts) take an opaque cursor: pass `next` back as `after`. */
const opaqueCursor = z.string().max(2048).regex(/^[A-Za-z0-9_-]+$/, 'after must be a cursor returned as next');

export const inventoryQuery = z.object({
  storeId: textFilterSchema.optional(),
  sku: textFilterSchema.optional(),
  after: opaqueCursor.optional(),
  limit: limitSchema,
});
export const inventoryRowSchema = z.object({
  storeId: z.string(),
  sku: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  damaged: z.number().int(),
  quarantine: z.number().int(),
});
export const inventoryResponse = listResponse(inventoryRowSchema);

export const inventoryCountsQuery = inventoryQuery;
export const inventoryCountSchema = z.object({
  storeId: z.string(),
  sku: z.string(),
  /** The count event's id. */
  sourceId: z.string(),
  hlc: z.string(),
  countedQty: z.number().int(),
  expected: z.number().int(),
  variance: z.number().int(),
  status: z.enum(['active', 'superseded']),
  createdAt: z.string(),
});
export const inventoryCountsResponse = listResponse(inventoryCountSchema);

export const conflictKindSchema = z.enum([
  'count_superseded',
  'count_recomputed',
  'unknown_sku',
  'return_unlinked',
  'return_linked',
  'oversold',
  'rerouted',
  'reroute_failed',
  'pick_after_cancel',
  'pickup_after_cancel',
  'pick_unexpected',
  'pick_repeated',
  'device_restored',
]);
export const conflictsQuery = z.object({
  storeId: textFilterSchema.optional(),
  kind: textFilterSchema.optional(),
  sku: textFilterSchema.optional(),
  after: z.string().regex(/^\d+$/, 'after must be a cursor returned as next').optional(),
  limit: limitSchema,
});
export const conflictSchema = z.object({
  id: z.string(),
  storeId: z.string(),
  sku: z.string().nullable(),
  kind: z.string(),
  inputs: z.unknown(),
  resolution: z.string(),
  correlationId: z.string().nullable(),
  createdAt: z.string(),
});
export const conflictsResponse = listResponse(conflictSchema);

export const receiptBody = z.object({
  receiptId: businessIdSchema,
  lines: z.array(z.object({ sku: businessIdSchema, qty: positiveQtySchema })).min(1).max(1000),
});
export const receiptResponse = z.object({ receiptId: z.string(), hlc: z.string(), commandSeq: z.number().int() });

// ---- reports (issue 7: fleet console, metrics, operational reports). Kept together at the end of the file.
// Every report is a list `{items, next}` over aggregated rows, paged by an opaque key cursor; `format=csv` answers
// the same page as text/csv (the next cursor then travels in the `x-next-cursor` header).

const reportCursor = z.string().max(2048).regex(/^[A-Za-z0-9_-]+$/, 'after must be a cursor returned as next');
export const reportFormatSchema = z.enum(['json', 'csv']).default('json');
const reportPage = { after: reportCursor.optional(), limit: limitSchema, format: reportFormatSchema };
const reportDays = {
  /** First business day included (YYYY-MM-DD); default 30 days before `to`. */
  from: z.iso.date().optional(),
  /** Last business day included (YYYY-MM-DD); default today (UTC). */
  to: z.iso.date().optional(),
  storeId: storeIdSchema.optional(),
};

export const ingestRateQuery = z.object({
  /** How many minutes back from now (the current minute included). */
  minutes: z.coerce.number().int().min(1).max(1440).default(60),
  storeId: storeIdSchema.optional(),
  ...reportPage,
});
export const ingestRateRowSchema = z.object({ minute: z.string(), events: z.number().int(), quarantined: z.number().int() });
export const ingestRateResponse = listResponse(ingestRateRowSchema);

export const syncLagQuery = z.object({
  /** Window of received events the lag figures are taken over. */
  minutes: z.coerce.number().int().min(1).max(10_080).default(60),
  ...reportPage,
});
export const syncLagRowSchema = z.object({
  storeId: z.string(),
  devices: z.number().int(),
  /** Events waiting at the store, as its agents last reported them. */
  pendingUp: z.number().int(),
  lastSeenAt: z.string().nullable(),
  lastReceivedAt: z.string().nullable(),
  /** Events received in the window, and how long after capture they arrived (received − occurred). */
  events: z.number().int(),
  avgLagSeconds: z.number().nullable(),
  maxLagSeconds: z.number().nullable(),
});
export const syncLagResponse = listResponse(syncLagRowSchema);

export const salesByDayQuery = z.object({ ...reportDays, ...reportPage });
export const salesByDayRowSchema = z.object({
  businessDate: z.string(),
  storeId: z.string(),
  currency: z.string(),
  sales: z.number().int(),
  salesAmount: z.number().int(),
  unitsSold: z.number().int(),
  returns: z.number().int(),
  returnsAmount: z.number().int(),
  unitsReturned: z.number().int(),
});
export const salesByDayResponse = listResponse(salesByDayRowSchema);

export const returnsByReasonQuery = z.object({ ...reportDays, ...reportPage });
export const returnsByReasonRowSchema = z.object({
  reasonCode: z.string(),
  currency: z.string(),
  lines: z.number().int(),
  qty: z.number().int(),
  refundAmount: z.number().int(),
});
export const returnsByReasonResponse = listResponse(returnsByReasonRowSchema);

export const countVarianceQuery = z.object({ ...reportDays, ...reportPage });
export const countVarianceRowSchema = z.object({
  storeId: z.string(),
  /** Counted (sku, count) lines, superseded counts included: each was a real count. */
  countedLines: z.number().int(),
  /** Lines where the count matched the books. */
  exactLines: z.number().int(),
  /** exactLines / countedLines (0..1). */
  accuracy: z.number(),
  netVariance: z.number().int(),
  absVariance: z.number().int(),
});
export const countVarianceResponse = listResponse(countVarianceRowSchema);

/** A store's events newest first (the console's store timeline); `next` continues with older ones. */
export const storeTimelineQuery = z.object({
  storeId: storeIdSchema,
  after: z.string().regex(/^\d+$/, 'after must be a cursor returned as next').optional(),
  limit: limitSchema,
});
export const storeTimelineResponse = eventsResponse;
