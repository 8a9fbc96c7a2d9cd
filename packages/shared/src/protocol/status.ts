import { z } from 'zod';

/** Agent → central `status` (no ack), after hello and whenever its backlog changes: shown in the fleet table. */
export const agentStatusSchema = z.object({
  pendingUp: z.number().int().nonnegative(),
  lastError: z.string().max(1024).nullable(),
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;
