import { z } from 'zod';

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
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;
