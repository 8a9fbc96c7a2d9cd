import { z } from 'zod';
import { errorBodySchema } from '../errors.js';
import { businessIdSchema, positiveQtySchema, skuSchema } from '../events.js';
import { storableString } from '../bounds.js';
import { RESERVATION_STATUSES } from '../reservation-rules.js';
import { limitSchema, listResponse, textFilterSchema } from './common.js';

// Central's reservation API (the README) and the order-system webhook it feeds (issue 4).

export const reservationStatusSchema = z.enum(RESERVATION_STATUSES);

export const createReservationBody = z.object({
  /** The order system's id; with storeId, the idempotency key of the request while the reservation is open. */
  orderId: businessIdSchema,
  storeId: z.string().min(1).max(64),
  lines: z
    .array(z.object({ sku: skuSchema, qty: positiveQtySchema }))
    .min(1, 'a reservation has at least one line')
    .max(200)
    .refine((ls) => new Set(ls.map((l) => l.sku)).size === ls.length, 'each sku at most once per reservation'),
  /** When an uncollected reservation lapses; central's default hold time when absent. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  /** R4: may central move this reservation to another store with stock when this one turns out oversold? */
  allowReroute: z.boolean().optional(),
});

export const reservationLineSchema = z.object({ sku: z.string(), qty: z.number().int(), pickedQty: z.number().int().nullable() });
export const reservationTransitionSchema = z.object({
  version: z.number().int(),
  from: reservationStatusSchema.nullable(),
  to: reservationStatusSchema,
  reason: z.string().nullable(),
  at: z.string(),
  correlationId: z.string(),
});
export const reservationSchema = z.object({
  reservationId: z.string(),
  orderId: z.string(),
  storeId: z.string(),
  status: reservationStatusSchema,
  lines: z.array(reservationLineSchema),
  allowReroute: z.boolean(),
  expiresAt: z.string(),
  /** A reroute's origin or destination (R4). */
  reroutedFrom: z.string().nullable(),
  reroutedTo: z.string().nullable(),
  correlationId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Every transition, timestamped and correlated to the order (oldest first). */
  history: z.array(reservationTransitionSchema),
});
export const createReservationResponse = z.object({ reservationId: z.string(), status: reservationStatusSchema, expiresAt: z.string() });
const availabilityLines = z.array(z.object({ sku: z.string(), requested: z.number().int(), available: z.number().int() }));
/** The 409 of POST /reservations: the house error shape; when stock is short, the availability per line also at the top (§10). */
export const reservationUnavailableResponse = errorBodySchema.extend({ available: availabilityLines.optional() });
export const reservationParams = z.object({ id: businessIdSchema });
export const cancelReservationBody = z.object({ reason: storableString(1, 256).optional() }).optional();
export const reservationsQuery = z.object({
  storeId: textFilterSchema.optional(),
  orderId: textFilterSchema.optional(),
  status: reservationStatusSchema.optional(),
  after: z.string().regex(/^\d+$/, 'after must be a cursor returned as next').optional(),
  limit: limitSchema,
});
export const reservationsResponse = listResponse(reservationSchema.omit({ history: true }));

// ---- webhook to the order system

export const WEBHOOK_SIGNATURE_HEADER = 'x-outpost-signature';
export const WEBHOOK_IDEMPOTENCY_HEADER = 'idempotency-key';

/** The body POSTed to the order system: one per reservation transition, or an exception raised by R4/R5. */
export const reservationWebhookBody = z.object({
  type: z.enum(['reservation.status_changed', 'reservation.exception']),
  /** Also sent as the Idempotency-Key header: the receiver drops a body whose key it has seen. */
  idempotencyKey: z.string(),
  reservationId: z.string(),
  orderId: z.string(),
  storeId: z.string(),
  status: reservationStatusSchema,
  previousStatus: reservationStatusSchema.nullable(),
  reason: z.string().nullable(),
  lines: z.array(reservationLineSchema),
  reroutedTo: z.string().nullable(),
  reroutedFrom: z.string().nullable(),
  at: z.string(),
  correlationId: z.string(),
});
export type ReservationWebhookBody = z.infer<typeof reservationWebhookBody>;

export const webhookDeliveryStatusSchema = z.enum(['pending', 'retrying', 'delivered', 'failed']);
export const webhookDeliverySchema = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  reservationId: z.string(),
  storeId: z.string(),
  status: webhookDeliveryStatusSchema,
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  body: reservationWebhookBody,
});
export const webhookDeliveriesQuery = z.object({
  status: webhookDeliveryStatusSchema.optional(),
  reservationId: textFilterSchema.optional(),
  after: z.string().regex(/^\d+$/, 'after must be a cursor returned as next').optional(),
  limit: limitSchema,
});
export const webhookDeliveriesResponse = listResponse(webhookDeliverySchema);
export const webhookDeliveryParams = z.object({ id: z.string().regex(/^\d+$/) });
