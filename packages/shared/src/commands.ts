import { z } from 'zod';
import { currencySchema, minorUnitsSchema } from './money.js';
import { HLC_RE } from './hlc.js';
import { businessIdSchema, nonNegativeQtySchema, positiveQtySchema, skuSchema, uuidSchema } from './events.js';
import { storableString } from './bounds.js';

// Downstream commands (central → store), docs/protocol.md. One schema per (type, schemaVersion).

export const itemUpsertedV1 = z.object({
  sku: skuSchema,
  name: storableString(1, 256),
  price: minorUnitsSchema,
  currency: currencySchema,
  /** Central's version of this item; agents apply only a newer version (R6). */
  version: z.number().int().positive(),
});

export const reservationCreatedV1 = z.object({
  reservationId: businessIdSchema,
  orderId: businessIdSchema,
  lines: z.array(z.object({ sku: skuSchema, qty: positiveQtySchema })).min(1),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const reservationCancelledV1 = z.object({
  reservationId: businessIdSchema,
  reason: storableString(0, 256).optional(),
});

/**
 * Central's state of a reservation after the store's pick or handover reached it. Every till of the store applies
 * it, so a till restored from an older copy of its data folder (its command journal went back, and central resends
 * from there) or another till of the store shows the reservation as picked or collected and never offers it to
 * pick again. An agent applies it only when it moves the local reservation forward.
 */
export const reservationUpdatedV1 = z.object({
  reservationId: businessIdSchema,
  status: z.enum(['picked', 'short_picked', 'collected']),
  lines: z.array(z.object({ sku: skuSchema, qty: positiveQtySchema, pickedQty: nonNegativeQtySchema })).min(1),
});

export const stockReceivedV1 = z.object({
  receiptId: businessIdSchema,
  lines: z.array(z.object({ sku: skuSchema, qty: positiveQtySchema })).min(1),
});

/**
 * v2 carries central's HLC stamp of the booking, so the agent orders the receipt against its own counts exactly
 * as central does (R3); v1 agents' receipts are ordered at apply time.
 */
export const stockReceivedV2 = stockReceivedV1.extend({
  hlc: z.string().regex(HLC_RE, 'hlc must be WWWWWWWWWWWWWWW:CCCCC:node'),
});

/**
 * R5: the store picked goods for a reservation that was cancelled (or expired) meanwhile; they go back to the
 * shelf. taskId is stable per reservation, so the task the agent makes itself on a cancellation and this one
 * are the same task.
 */
export const restockRequestedV1 = z.object({
  taskId: businessIdSchema,
  reservationId: businessIdSchema,
  lines: z.array(z.object({ sku: skuSchema, qty: positiveQtySchema })).min(1),
  reason: storableString(1, 256),
});

export const COMMAND_PAYLOADS = {
  'item.upserted': { 1: itemUpsertedV1 },
  'reservation.created': { 1: reservationCreatedV1 },
  'reservation.cancelled': { 1: reservationCancelledV1 },
  'reservation.updated': { 1: reservationUpdatedV1 },
  'stock.received': { 1: stockReceivedV1, 2: stockReceivedV2 },
  'restock.requested': { 1: restockRequestedV1 },
} as const;

export type CommandType = keyof typeof COMMAND_PAYLOADS;
export const COMMAND_TYPES = Object.keys(COMMAND_PAYLOADS) as CommandType[];
/**
 * Command types a till may go without: an agent that does not know one (an older release) is sent it anyway,
 * quarantines it locally and moves on, as 0.1.0 does. Every other type, and any unknown version of a type the agent
 * knows, waits at central until the agent is upgraded (a lost item price or receipt would be silent damage).
 * reservation.updated only stops a restored till offering a done pick again.
 */
export const OPTIONAL_COMMAND_TYPES: ReadonlySet<string> = new Set<CommandType>(['reservation.updated']);

/** The version central writes today for each command type. */
export const CURRENT_COMMAND_VERSION: Record<CommandType, number> = {
  'item.upserted': 1,
  'reservation.created': 1,
  'reservation.cancelled': 1,
  'reservation.updated': 1,
  'stock.received': 2,
  'restock.requested': 1,
};

export type ItemUpserted = z.infer<typeof itemUpsertedV1>;
export type ReservationCreated = z.infer<typeof reservationCreatedV1>;
export type ReservationCancelled = z.infer<typeof reservationCancelledV1>;
export type ReservationUpdated = z.infer<typeof reservationUpdatedV1>;
export type StockReceived = z.infer<typeof stockReceivedV1> & { hlc?: string };
export type RestockRequested = z.infer<typeof restockRequestedV1>;

export interface CommandPayloadMap {
  'item.upserted': ItemUpserted;
  'reservation.created': ReservationCreated;
  'reservation.cancelled': ReservationCancelled;
  'reservation.updated': ReservationUpdated;
  'stock.received': StockReceived;
  'restock.requested': RestockRequested;
}

/** A command as stored in a store's stream; `seq` is gap-free per store. */
export const rawCommandSchema = z.object({
  seq: z.number().int().positive(),
  commandId: uuidSchema,
  storeId: businessIdSchema,
  type: z.string().min(1).max(64),
  schemaVersion: z.number().int().positive(),
  createdAt: z.iso.datetime({ offset: true }),
  correlationId: storableString(1, 128),
  payload: z.unknown(),
});
export type RawCommand = z.infer<typeof rawCommandSchema>;

export type Command<T extends CommandType = CommandType> = {
  [K in T]: Omit<RawCommand, 'type' | 'payload'> & { type: K; payload: CommandPayloadMap[K] };
}[T];

export function parseCommandPayload(
  raw: RawCommand,
): { ok: true; value: Command } | { ok: false; error: string } {
  const versions = (COMMAND_PAYLOADS as Record<string, Record<number, z.ZodType> | undefined>)[raw.type];
  const schema = versions?.[raw.schemaVersion];
  if (!schema) return { ok: false, error: `unknown command ${raw.type} v${raw.schemaVersion}` };
  const p = schema.safeParse(raw.payload);
  if (!p.success) {
    return { ok: false, error: p.error.issues.map((i) => `payload.${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  return { ok: true, value: { ...raw, payload: p.data } as Command };
}
