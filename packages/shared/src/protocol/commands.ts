import { z } from 'zod';
import { rawCommandSchema } from '../commands.js';

/** Central → agent `commands` (with ack): the next commands of the store's stream, in seq order. */
export const commandsMessageSchema = z.object({
  commands: z.array(rawCommandSchema).min(1),
});
export type CommandsMessage = z.infer<typeof commandsMessageSchema>;

/** Agent's ack: the highest seq it has applied (in its own transaction). Central pushes after it. */
export const commandsAckSchema = z.object({
  appliedSeq: z.number().int().nonnegative(),
});
export type CommandsAck = z.infer<typeof commandsAckSchema>;
