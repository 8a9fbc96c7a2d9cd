import { commandsMessageSchema } from '@outpost/shared';
import type { CommandApplier } from './command-apply.js';
import type { Logger } from './log.js';

/**
 * Central's `commands` message: validated at this edge, applied in order, and always answered with the seq the
 * agent now stands at, so central knows where to resume even when nothing could be applied.
 */
export function onCommandsMessage(applier: CommandApplier, log: Logger, msg: unknown, ack: unknown): void {
  let appliedSeq: number;
  try {
    const parsed = commandsMessageSchema.safeParse(msg);
    if (parsed.success) {
      appliedSeq = applier.apply(parsed.data.commands);
    } else {
      const list = (msg as { commands?: unknown } | null)?.commands;
      log.warn('commands message did not parse', { error: parsed.error.message.slice(0, 500) });
      appliedSeq = Array.isArray(list) ? applier.applyLoose(list) : applier.appliedSeq();
    }
  } catch (e) {
    // A local failure (disk full...) applies nothing further; the ack says where we stopped.
    log.error('applying commands failed', { error: String(e) });
    appliedSeq = applier.appliedSeq();
  }
  log.info('commands applied', { appliedSeq });
  if (typeof ack === 'function') (ack as (a: { appliedSeq: number }) => void)({ appliedSeq });
}
