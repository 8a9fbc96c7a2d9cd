import { z } from 'zod';

/**
 * The offline budget in business terms: what the store holds that central does not have yet. oldestAt: when the
 * oldest event not yet acked by central was captured (null: nothing waiting). Counts per kind: sales, returns,
 * counts, and everything else (adjustments, picks, day closes).
 */
/** A count central stores in an int4 column. */
const count = z.number().int().nonnegative().max(2_147_483_647);

export const unsentSchema = z.object({
  oldestAt: z.iso.datetime({ offset: true }).nullable(),
  sales: count,
  returns: count,
  counts: count,
  other: count,
});
export type Unsent = z.infer<typeof unsentSchema>;

/** Agent → central `status` (no ack), after hello and whenever its backlog changes: shown in the fleet table. */
export const agentStatusSchema = z.object({
  pendingUp: z.number().int().nonnegative(),
  lastError: z.string().max(1024).nullable(),
  /**
   * The agent's clock minus central's (ms), measured at its last hello; null before the first. Optional: agents
   * before it do not send it (additive field, same protocol version). Bounded to ±10 years.
   */
  clockSkewMs: z.number().int().min(-315_576_000_000).max(315_576_000_000).nullable().optional(),
  /** Free bytes on the agent's data disk (null: could not be read), so central warns long before capture fails. Optional, like clockSkewMs. */
  diskFreeBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  /** v3: the offline budget (unsentSchema); absent from older agents. */
  unsent: unsentSchema.optional(),
});

export type AgentStatus = z.infer<typeof agentStatusSchema>;
