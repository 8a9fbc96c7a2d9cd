import { z } from 'zod';
import { currencySchema, minorUnitsSchema } from '../money.js';
import {
  businessDateSchema,
  businessIdSchema,
  codeSchema,
  countedCashSchema,
  nonNegativeQtySchema,
  positiveQtySchema,
  returnDispositionSchema,
  skuSchema,
} from '../events.js';
import { boundedQty } from '../bounds.js';
import { unsentSchema } from '../protocol/status.js';
import { limitSchema } from './common.js';

// Bodies of the agent's local HTTP API (§10). businessDate and currency default to the store's.

const tenders = z.array(z.object({ method: codeSchema, amount: minorUnitsSchema }));

export const saleBody = z.object({
  transactionId: businessIdSchema,
  lines: z
    .array(z.object({ sku: skuSchema, qty: positiveQtySchema, unitPrice: minorUnitsSchema, taxAmount: minorUnitsSchema.optional() }))
    .min(1, 'a sale has at least one line'),
  tenders,
  currency: currencySchema.optional(),
  businessDate: businessDateSchema.optional(),
});
export type SaleBody = z.infer<typeof saleBody>;

export const returnBody = z.object({
  returnId: businessIdSchema,
  originalTransactionId: businessIdSchema.optional(),
  lines: z
    .array(
      z.object({
        sku: skuSchema,
        qty: positiveQtySchema,
        refundAmount: minorUnitsSchema,
        reasonCode: codeSchema,
        disposition: returnDispositionSchema,
      }),
    )
    .min(1, 'a return has at least one line'),
  currency: currencySchema.optional(),
  businessDate: businessDateSchema.optional(),
});
export type ReturnBody = z.infer<typeof returnBody>;

export const countBody = z.object({
  countId: businessIdSchema,
  kind: z.enum(['cycle', 'full']).default('cycle'),
  lines: z.array(z.object({ sku: skuSchema, countedQty: nonNegativeQtySchema })).min(1, 'a count has at least one line'),
});
export type CountBody = z.infer<typeof countBody>;

export const adjustmentBody = z.object({
  adjustmentId: businessIdSchema,
  reasonCode: codeSchema,
  lines: z.array(z.object({ sku: skuSchema, qtyDelta: boundedQty(z.number().int().refine((n) => n !== 0, 'qtyDelta cannot be 0')) })).min(1),
});
export type AdjustmentBody = z.infer<typeof adjustmentBody>;

export const dayCloseParams = z.object({ businessDate: businessDateSchema });
/** The close's body is optional: without one (or without `countedCash`) the day closes uncounted. */
export const dayCloseBody = z.object({ countedCash: countedCashSchema.optional() });
export type DayCloseBody = z.infer<typeof dayCloseBody>;

/** Answer of every capture: 201 when new, 200 with the first event when the document id was seen before. */
export const captureResponse = z.object({ eventId: z.uuid(), seq: z.number().int().positive(), duplicate: z.boolean() });
export type CaptureResponse = z.infer<typeof captureResponse>;

export const agentStatusResponse = z.object({
  storeId: z.string(),
  deviceId: z.string(),
  online: z.boolean(),
  pendingUp: z.number().int(),
  lastAckedSeq: z.number().int(),
  lastSyncAt: z.string().nullable(),
  pendingPicks: z.number().int(),
  appliedCommandSeq: z.number().int(),
  /**
   * The store's picture from central (`seed`): `wanted` while this till holds none yet (new, replacement or
   * re-seeded PC; it arrives at the next connection), then the command seq it was read at and when it arrived.
   */
  seed: z.object({ wanted: z.boolean(), atSeq: z.number().int().nullable(), at: z.string().nullable() }),
  lastError: z.string().nullable(),
  /** This PC's clock minus central's (ms) at the last connection; null before the first. */
  clockSkewMs: z.number().int().nullable(),
  clockSkewAt: z.string().nullable(),
  /** Captures are dated and stamped by central's time: the skew is beyond the agent's tolerance. */
  clockCorrected: z.boolean(),
  /** The release version of the running agent. */
  agentVersion: z.string(),
  /** The protocol version of the connection to central (null while offline). */
  protocolVersion: z.number().int().nullable(),
  /** Since when this agent has had no connection to central (null while connected). */
  offlineSince: z.string().nullable(),
  /** The offline budget: when the oldest event central does not have yet was captured, and how many per kind. */
  unsent: unsentSchema,
  /** Bytes of the agent's SQLite database (file, write-ahead log and its index). */
  dbBytes: z.number().int().nonnegative(),
  /** Free bytes on the agent's data disk (null: the platform cannot say). */
  diskFreeBytes: z.number().int().nonnegative().nullable(),
  /** Free disk is below the agent's warning threshold (OUTPOST_DISK_LOW_MIB): capture works, space should be freed. */
  diskLow: z.boolean(),
  /** Acknowledged history is deleted once older than this many days (OUTPOST_RETENTION_DAYS). */
  retentionDays: z.number().int().nonnegative(),
  /** When retention last ran (null: not yet since the agent started). */
  retentionRunAt: z.string().nullable(),
  /** Acknowledged events retention deleted since the agent started. */
  retentionDeletedEvents: z.number().int().nonnegative(),
});
export type AgentStatusResponse = z.infer<typeof agentStatusResponse>;

// ---- picks (issue 4): reservations sent down by central, picked and handed over in the store

export const pickStatusSchema = z.enum(['delivered', 'picked', 'short_picked', 'collected', 'cancelled', 'expired']);
export const pickRowSchema = z.object({
  reservationId: z.string(),
  orderId: z.string(),
  status: pickStatusSchema,
  lines: z.array(z.object({ sku: z.string(), qty: z.number().int(), pickedQty: z.number().int().nullable() })),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
});
export type PickRow = z.infer<typeof pickRowSchema>;
export const picksQuery = z.object({
  status: pickStatusSchema.optional(),
  after: z.string().max(128).optional(),
  limit: limitSchema,
});
export const pickParams = z.object({ reservationId: businessIdSchema });
export const confirmPickBody = z.object({
  lines: z.array(z.object({ sku: skuSchema, pickedQty: boundedQty(z.number().int().nonnegative('pickedQty cannot be negative')) })).min(1),
});
export type ConfirmPickBody = z.infer<typeof confirmPickBody>;
export const pickActionResponse = captureResponse.extend({ status: pickStatusSchema });

/** Restock tasks: picked goods to put back on the shelf (a reservation cancelled after its pick, R5). */
export const taskRowSchema = z.object({
  taskId: z.string(),
  kind: z.literal('restock'),
  reservationId: z.string(),
  lines: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
  reason: z.string(),
  status: z.enum(['open', 'done']),
  createdAt: z.string(),
  doneAt: z.string().nullable(),
});
export type TaskRow = z.infer<typeof taskRowSchema>;
export const taskParams = z.object({ taskId: businessIdSchema });
