import { z } from 'zod';

/**
 * Every ack that can fail carries either its success shape or this refusal. Codes:
 * - seq_gap: the batch does not start at the expected seq (details.expectedSeq)
 * - batch_too_large: over the count or byte bound (details.maxBatchEvents, details.maxBatchBytes)
 * - wrong_store: an event claims another store or device than the connection's token
 * - retry_after: central is busy (details.retryAfterMs)
 * - not_ready: `hello` has not been exchanged yet on this connection
 * - bad_request: the message itself does not parse
 * - internal: central failed; nothing was stored
 * - seq_conflict (v2): the batch repeats a seq central already holds, but with another event id: the device was
 *   restored from an older copy or cloned. details: {conflictSeq, storedSeq, eventId, heldEventId}. Nothing was
 *   stored; the agent renumbers its events from conflictSeq after storedSeq (keeping their event ids) and resends.
 */
export const refusalCodeSchema = z.enum([
  'seq_gap',
  'batch_too_large',
  'wrong_store',
  'retry_after',
  'not_ready',
  'bad_request',
  'protocol_unsupported',
  'internal',
  'seq_conflict',
]);
export type RefusalCode = z.infer<typeof refusalCodeSchema>;

export const refusalSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: refusalCodeSchema, message: z.string(), details: z.unknown() }),
});
export type Refusal = z.infer<typeof refusalSchema>;

export function refusal(code: RefusalCode, message: string, details: unknown = null): Refusal {
  return { ok: false, error: { code, message, details } };
}
