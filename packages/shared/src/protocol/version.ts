/**
 * Protocol version of the `/agent` socket.io namespace. Bump it, and add a line to the history, whenever the
 * wire shape of any message in this folder changes; `protocol-shape.test.ts` fails until you do.
 * Central accepts agents from MIN_SUPPORTED_PROTOCOL_VERSION up to PROTOCOL_VERSION; the agent speaks
 * AGENT_MIN_PROTOCOL_VERSION up to PROTOCOL_VERSION. Each connection runs at one version, chosen at the handshake
 * (negotiate.ts): the highest both sides speak. The rule for the next bump is in docs/protocol.md ("Versions").
 */
export const PROTOCOL_VERSION = 3;
export const MIN_SUPPORTED_PROTOCOL_VERSION = 1;
/**
 * The oldest central protocol this agent can talk to: v2, the protocol of the first release (0.1.0). A v1 central
 * never shipped; speaking it would mean holding back import.rejected, which v1 central does not know.
 */
export const AGENT_MIN_PROTOCOL_VERSION = 2;
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
      'Version negotiation: handshake.auth may carry minProtocolVersion (the agent speaks a range; central picks the highest version both speak), handshake.refusal of protocol_unsupported carries central\'s minVersion/maxVersion, hello.ack.protocolVersion is the version chosen for the connection (was central\'s own). hello may carry commandVersions (the command schema versions the agent can apply: central holds a command of another version until the agent is upgraded). status may carry unsent (the offline budget: oldest event not yet at central and counts per kind). All additive; v1 and v2 agents are upcast at the gateway. hello: optional seed (the till holds no store picture). New central → agent message seed {atSeq, deviceStoredSeq, takenAt, items, stock, picks} with ack seed.ack {ok, appliedSeq}: the store\'s item master, stock and open picks read in one snapshot at command seq atSeq, sent only to a v3 agent that asked, before its command stream, which resumes after atSeq. Additive: v1 and v2 agents are answered as before.',
  },
];
/** From this protocol version on, an agent understands `seq_conflict` and resends its unverified overlap. */
export const SEQ_CONFLICT_PROTOCOL_VERSION = 2;
/** From this protocol version on, an agent understands `token.rotate`; older agents are never sent it. */
export const TOKEN_ROTATE_PROTOCOL_VERSION = 2;
/** From this protocol version on, an agent may ask for a `seed` in hello and understands the message. */
export const SEED_PROTOCOL_VERSION = 3;
export const AGENT_NAMESPACE = '/agent';
/** From this protocol version on, the handshake carries ranges (minProtocolVersion; a refusal's minVersion/maxVersion). */
export const NEGOTIATION_PROTOCOL_VERSION = 3;
/** From this protocol version on, the agent names the command versions it can apply in hello (commandVersions). */
export const COMMAND_VERSIONS_PROTOCOL_VERSION = 3;
/** From this protocol version on, an agent's status may carry `unsent` (its offline budget). */
export const UNSENT_STATUS_PROTOCOL_VERSION = 3;
