import { z } from 'zod';
import { itemUpsertedV1 } from '../commands.js';
import { businessIdSchema, nonNegativeQtySchema, positiveQtySchema, skuSchema } from '../events.js';
import { refusalSchema } from './refusal.js';

/**
 * Central → agent `seed` (with ack, protocol v3): the store's picture for a till that holds none (a new or
 * replacement PC, or one re-seeded with `outpost-agent reseed`), read in ONE database snapshot at command seq
 * `atSeq`. The agent applies it in one SQLite transaction and takes `atSeq` as its applied command seq, so the
 * command stream resumes after it and a command at or below `atSeq` is never applied on top of the picture.
 * Sent only to an agent whose hello asked for it (`hello.seed`), before any `commands` on that connection.
 */

/** One sku of the store's stock as central merged it from every till (R3), at the snapshot. */
export const seedStockSchema = z.object({
  sku: skuSchema,
  onHand: z.number().int().safe(),
  damaged: z.number().int().safe(),
  quarantine: z.number().int().safe(),
});
export type SeedStock = z.infer<typeof seedStockSchema>;

/**
 * An open reservation of the store, with its status in the store's words: `delivered` (to pick; central's
 * requested, delivered and at_risk), `picked` or `short_picked` (picked, waiting for the customer).
 */
export const seedPickSchema = z.object({
  reservationId: businessIdSchema,
  orderId: businessIdSchema,
  status: z.enum(['delivered', 'picked', 'short_picked']),
  lines: z.array(z.object({ sku: skuSchema, qty: positiveQtySchema, pickedQty: nonNegativeQtySchema.nullable() })).min(1),
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
  /** Seq of the reservation.created command (at or below atSeq). */
  createdSeq: z.number().int().positive(),
  createdAt: z.iso.datetime({ offset: true }),
  correlationId: z.string().max(256),
});
export type SeedPick = z.infer<typeof seedPickSchema>;

export const seedSchema = z.object({
  /** The store's command seq the picture was read at: the stream resumes after it. */
  atSeq: z.number().int().nonnegative(),
  /**
   * This device's events central had stored (or quarantined) at the snapshot: their stock movements are inside
   * `stock`; the agent adds on top only its own movements with a higher seq.
   */
  deviceStoredSeq: z.number().int().nonnegative(),
  takenAt: z.iso.datetime({ offset: true }),
  items: z.array(itemUpsertedV1),
  stock: z.array(seedStockSchema),
  picks: z.array(seedPickSchema),
});
export type Seed = z.infer<typeof seedSchema>;

/** The agent's ack: the command seq it now stands at (atSeq once applied), or a refusal (it applied nothing). */
export const seedAckSchema = z.union([z.object({ ok: z.literal(true), appliedSeq: z.number().int().nonnegative() }), refusalSchema]);
export type SeedAck = z.infer<typeof seedAckSchema>;
