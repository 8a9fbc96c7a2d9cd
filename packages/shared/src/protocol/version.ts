/**
 * Protocol version of the `/agent` socket.io namespace. Bump it, and add a line to the history, whenever the
 * wire shape of any message in this folder changes; `protocol-shape.test.ts` fails until you do.
 * Central accepts agents from MIN_SUPPORTED_PROTOCOL_VERSION up to PROTOCOL_VERSION.
 */
export const PROTOCOL_VERSION = 3;
export const MIN_SUPPORTED_PROTOCOL_VERSION = 1;
export const PROTOCOL_HISTORY: readonly { version: number; date: string; change: string }[] = [
  { version: 1, date: '2026-11-23', change: 'initial: handshake auth, hello, batch, commands, status' },
  {
    version: 2,
    date: '2026-11-29',
    change:
      'batch.ack may refuse with seq_conflict (a resent seq carries another event id: device restored or cloned); a v2 agent resends its unacked events up to central\'s storedSeq for that check instead of adopting storedSeq. status: optional clockSkewMs (the agent clock minus central, from hello) and diskFreeBytes. New agent → central message import.rejected (with ack): till files the agent rejected. Central → agent token.rotate {token} with ack (device token rotation), sent only to v2 agents. Central answers v1 agents as before.',
  },
  {
    version: 3,
    date: '2026-11-29',
    change:
      'hello: optional seed (the till holds no store picture). New central → agent message seed {atSeq, deviceStoredSeq, takenAt, items, stock, picks} with ack seed.ack {ok, appliedSeq}: the store\'s item master, stock and open picks read in one snapshot at command seq atSeq, sent only to a v3 agent that asked, before its command stream, which resumes after atSeq. Additive: v1 and v2 agents are answered as before.',
  },
];
/** From this protocol version on, an agent understands `seq_conflict` and resends its unverified overlap. */
export const SEQ_CONFLICT_PROTOCOL_VERSION = 2;
/** From this protocol version on, an agent understands `token.rotate`; older agents are never sent it. */
export const TOKEN_ROTATE_PROTOCOL_VERSION = 2;
/** From this protocol version on, an agent may ask for a `seed` in hello and understands the message. */
export const SEED_PROTOCOL_VERSION = 3;
export const AGENT_NAMESPACE = '/agent';
