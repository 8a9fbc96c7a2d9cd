import { refusal, tokenRotateSchema } from '@outpost/shared';
import { crashNow, type Faults } from './faults.js';
import type { Logger } from './log.js';

export interface TokenRotateDeps {
  /** Write the token durably (agent.json: temp file, fsync, rename); throws when it cannot. */
  store: (token: string) => void;
  /** Use the token for every later handshake of this process. */
  use: (token: string) => void;
  faults: Pick<Faults, 'crashAfterTokenStored'>;
  log: Logger;
}

/**
 * Central's `token.rotate`: store first, switch, then ack. Central accepts the old token until this ack (or a
 * handshake with the new one) confirms the new one, so a crash at any step leaves a token that works on disk.
 */
export function createTokenRotateHandler(d: TokenRotateDeps): (msg: unknown, ack: unknown) => void {
  let stored = 0; // rotated tokens stored by this process, for the crash fault
  return (msg, ack) => onTokenRotate(msg, ack);

  function onTokenRotate(msg: unknown, ack: unknown): void {
  const reply = typeof ack === 'function' ? (ack as (a: unknown) => void) : () => undefined;
  const parsed = tokenRotateSchema.safeParse(msg);
  if (!parsed.success) {
    d.log.warn('token.rotate did not parse; keeping the current token', {});
    return reply(refusal('bad_request', 'token.rotate: expected {token}'));
  }
  try {
    d.store(parsed.data.token);
  } catch (e) {
    // The token itself never goes to the log, only that it could not be kept.
    d.log.error('could not store the rotated device token; keeping the current one', { error: String(e) });
    return reply(refusal('internal', 'the agent could not store its new token; it keeps the current one'));
  }
  d.use(parsed.data.token);
  if (d.faults.crashAfterTokenStored === ++stored) crashNow();
  d.log.info('device token rotated and stored', {});
  reply({ ok: true });
  }
}
