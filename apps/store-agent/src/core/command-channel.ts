import { commandsMessageSchema, refusal } from '@outpost/shared';
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

/** The messages central sends an agent; anything else is answered with a refusal instead of a timeout. */
export const CENTRAL_MESSAGES: ReadonlySet<string> = new Set(['commands', 'token.rotate', 'seed']);

/** socket.io `onAny` listener: answers a message this agent does not know (a newer central, a typo). */
export function onUnknownMessage(log: Logger, event: unknown, args: unknown[]): void {
  if (typeof event === 'string' && CENTRAL_MESSAGES.has(event)) return;
  const name = JSON.stringify(String(event).slice(0, 100));
  log.warn('unknown message from central', { event: name });
  const ack = args.at(-1);
  if (typeof ack === 'function') {
    (ack as (r: unknown) => void)(refusal('bad_request', `unknown message ${name}; this agent understands ${[...CENTRAL_MESSAGES].join(', ')}`, { known: [...CENTRAL_MESSAGES] }));
  }
}
