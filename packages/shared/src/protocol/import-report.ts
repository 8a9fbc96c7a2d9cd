import { z } from 'zod';
import { refusalSchema } from './refusal.js';

/**
 * Agent → central `import.rejected` (with ack, protocol v2): till files the agent's POS inbox rejected, so head
 * office sees them (console, alert `import_rejected`) without anyone looking in the store PC's rejected/ folder.
 * Sent after hello and whenever a file is rejected; kept at the agent until acked, so a report made offline
 * arrives later. Central stores each (file, rejectedAt) once.
 */
export const importRejectionSchema = z.object({
  file: z.string().min(1).max(512),
  /** The first bad line, when the rejection names one. */
  line: z.number().int().positive().nullable(),
  reason: z.string().min(1).max(2000),
  rejectedAt: z.iso.datetime({ offset: true }),
});
export type ImportRejection = z.infer<typeof importRejectionSchema>;

export const importRejectedSchema = z.object({ reports: z.array(importRejectionSchema).min(1).max(100) });
export type ImportRejected = z.infer<typeof importRejectedSchema>;

export const importRejectedAckSchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), received: z.number().int().nonnegative() }), refusalSchema]);
export type ImportRejectedAck = z.infer<typeof importRejectedAckSchema>;
