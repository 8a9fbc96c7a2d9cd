import { z } from 'zod';
import { HLC_RE } from './hlc.js';
import { currencySchema, minorUnitsSchema } from './money.js';
import { boundedQty, MAX_COUNTED_TENDERS, storableString } from './bounds.js';

/** Ids of business documents (transactionId, returnId, countId, orderId, sku): 1–128 storable characters. */
export const businessIdSchema = storableString(1, 128);
export const skuSchema = businessIdSchema;
/** A code or label of a document (tender method, reason code): 1–64 storable characters. */
export const codeSchema = storableString(1, 64);
export const positiveQtySchema = boundedQty(z.number().int('quantity must be an integer').positive('quantity must be positive'));
export const nonNegativeQtySchema = boundedQty(z.number().int('quantity must be an integer').nonnegative('quantity cannot be negative'));
export const businessDateSchema = z.iso.date();
export const uuidSchema = z.uuid();

// ---- payloads, one schema per (type, schemaVersion). A new version is added beside the old one, never edited.

export const saleCompletedV1 = z.object({
  transactionId: businessIdSchema,
  businessDate: businessDateSchema,
  currency: currencySchema,
  lines: z
    .array(
      z.object({
        sku: skuSchema,
        qty: positiveQtySchema,
        unitPrice: minorUnitsSchema,
        /** Tax included in the line, where the till gives it. */
        taxAmount: minorUnitsSchema.optional(),
        /** True when the sku was not in the store's item master at capture (sold anyway, flagged). */
        unknownSku: z.boolean().optional(),
      }),
    )
    .min(1, 'a sale has at least one line'),
  tenders: z.array(z.object({ method: codeSchema, amount: minorUnitsSchema })),
});

export const returnDispositionSchema = z.enum(['restock', 'damaged', 'quarantine']);
export const returnReceivedV1 = z.object({
  returnId: businessIdSchema,
  originalTransactionId: businessIdSchema.optional(),
  businessDate: businessDateSchema,
  currency: currencySchema,
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
});

export const countSubmittedV1 = z.object({
  countId: businessIdSchema,
  kind: z.enum(['cycle', 'full']),
  lines: z
    .array(z.object({ sku: skuSchema, countedQty: boundedQty(z.number().int().nonnegative('a counted quantity cannot be negative')) }))
    .min(1, 'a count has at least one line'),
});

export const stockAdjustedV1 = z.object({
  adjustmentId: businessIdSchema,
  reasonCode: codeSchema,
  lines: z
    .array(z.object({ sku: skuSchema, qtyDelta: boundedQty(z.number().int().refine((n) => n !== 0, 'qtyDelta cannot be 0')) }))
    .min(1),
});

export const pickConfirmedV1 = z.object({
  reservationId: businessIdSchema,
  lines: z.array(z.object({ sku: skuSchema, qty: positiveQtySchema, pickedQty: nonNegativeQtySchema })).min(1),
});

export const pickupCompletedV1 = z.object({
  reservationId: businessIdSchema,
});

/**
 * v2 names what left the store, so the handover is a stock movement that a replay of the events alone can
 * derive (central inventory = replay of the events, docs/rules.md); v1 pickups move nothing.
 */
export const pickupCompletedV2 = pickupCompletedV1.extend({
  lines: z.array(z.object({ sku: skuSchema, qty: positiveQtySchema })).min(1, 'a handover hands over at least one line'),
});

export const dayClosedV1 = z.object({
  businessDate: businessDateSchema,
  currency: currencySchema,
  transactionCount: nonNegativeQtySchema,
  returnCount: nonNegativeQtySchema,
  salesTotal: minorUnitsSchema,
  returnsTotal: minorUnitsSchema,
  tenders: z.array(z.object({ method: codeSchema, amount: minorUnitsSchema })),
});

/**
 * What the associate counted at the close, per tender method (the drawer's cash, card slips): the takings, the
 * float left out. Central shows it against the day's tendered amount of the same method.
 */
export const countedCashSchema = z
  .array(z.object({ method: codeSchema, amount: minorUnitsSchema.refine((n) => n >= 0, 'a counted amount cannot be negative') }))
  .max(MAX_COUNTED_TENDERS, `at most ${MAX_COUNTED_TENDERS} tender methods are counted`)
  .refine((xs) => new Set(xs.map((x) => x.method)).size === xs.length, 'each tender method is counted once');

/** v2 adds what was counted (optional: a close without a count is still a close); v1 stays accepted. */
export const dayClosedV2 = dayClosedV1.extend({ countedCash: countedCashSchema.optional() });

export const EVENT_PAYLOADS = {
  'sale.completed': { 1: saleCompletedV1 },
  'return.received': { 1: returnReceivedV1 },
  'count.submitted': { 1: countSubmittedV1 },
  'stock.adjusted': { 1: stockAdjustedV1 },
  'pick.confirmed': { 1: pickConfirmedV1 },
  'pickup.completed': { 1: pickupCompletedV1, 2: pickupCompletedV2 },
  'day.closed': { 1: dayClosedV1, 2: dayClosedV2 },
} as const;

export type EventType = keyof typeof EVENT_PAYLOADS;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];
/** The version an agent writes today for each type. */
export const CURRENT_EVENT_VERSION: Record<EventType, number> = {
  'sale.completed': 1,
  'return.received': 1,
  'count.submitted': 1,
  'stock.adjusted': 1,
  'pick.confirmed': 1,
  'pickup.completed': 2,
  'day.closed': 2,
};

export type SaleCompleted = z.infer<typeof saleCompletedV1>;
export type ReturnReceived = z.infer<typeof returnReceivedV1>;
export type CountSubmitted = z.infer<typeof countSubmittedV1>;
export type StockAdjusted = z.infer<typeof stockAdjustedV1>;
export type PickConfirmed = z.infer<typeof pickConfirmedV1>;
export type PickupCompleted = z.infer<typeof pickupCompletedV1> & { lines?: { sku: string; qty: number }[] };
/** Either version: a v1 close is a v2 close without `countedCash`. */
export type DayClosed = z.infer<typeof dayClosedV2>;
export type CountedCash = z.infer<typeof countedCashSchema>;

export interface EventPayloadMap {
  'sale.completed': SaleCompleted;
  'return.received': ReturnReceived;
  'count.submitted': CountSubmitted;
  'stock.adjusted': StockAdjusted;
  'pick.confirmed': PickConfirmed;
  'pickup.completed': PickupCompleted;
  'day.closed': DayClosed;
}

// ---- envelope

const envelopeFields = {
  eventId: uuidSchema,
  storeId: businessIdSchema,
  deviceId: uuidSchema,
  seq: z.number().int().positive(),
  hlc: z.string().regex(HLC_RE, 'hlc must be WWWWWWWWWWWWWWW:CCCCC:node'),
  occurredAt: z.iso.datetime({ offset: true }),
  type: z.string().min(1).max(64),
  schemaVersion: z.number().int().positive(),
  correlationId: storableString(1, 128),
};

/** The envelope with an unchecked payload: what is needed to route and store an event. */
export const rawEnvelopeSchema = z.object({ ...envelopeFields, payload: z.unknown() });

export type EventEnvelope<T extends EventType = EventType> = {
  [K in T]: Omit<z.infer<typeof rawEnvelopeSchema>, 'type' | 'payload'> & { type: K; payload: EventPayloadMap[K] };
}[T];

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string; issues: { path: string; message: string }[] };

function issuesOf(err: z.ZodError, prefix: string): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)', message: i.message }));
}

/**
 * Validate one event completely: envelope, then the payload schema of its (type, schemaVersion).
 * Returns a readable error instead of throwing, because a bad event is quarantined, not fatal.
 */
export function parseEvent(input: unknown): ParseResult<EventEnvelope> {
  const env = rawEnvelopeSchema.safeParse(input);
  if (!env.success) {
    const issues = issuesOf(env.error, '');
    return { ok: false, error: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues };
  }
  const versions = (EVENT_PAYLOADS as Record<string, Record<number, z.ZodType> | undefined>)[env.data.type];
  if (!versions) {
    const issues = [{ path: 'type', message: `unknown event type "${env.data.type}"` }];
    return { ok: false, error: `type: unknown event type "${env.data.type}"`, issues };
  }
  const schema = versions[env.data.schemaVersion];
  if (!schema) {
    const issues = [{ path: 'schemaVersion', message: `unknown schemaVersion ${env.data.schemaVersion} for ${env.data.type}` }];
    return { ok: false, error: `schemaVersion: unknown schemaVersion ${env.data.schemaVersion} for ${env.data.type}`, issues };
  }
  const payload = schema.safeParse(env.data.payload);
  if (!payload.success) {
    const issues = issuesOf(payload.error, 'payload');
    return { ok: false, error: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues };
  }
  return { ok: true, value: { ...env.data, payload: payload.data } as EventEnvelope };
}

/** The §10 shape of `GET /events` items. */
export type StoredEvent = EventEnvelope & { receivedAt: string };
