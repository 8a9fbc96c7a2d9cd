import { COMMAND_PAYLOADS } from '../commands.js';
import type { AgentHello, CommandVersions } from './hello.js';
import type { AgentStatus } from './status.js';
import { COMMAND_VERSIONS_PROTOCOL_VERSION, UNSENT_STATUS_PROTOCOL_VERSION } from './version.js';

// Older agents' messages turned into the current types, once, at central's socket edge: the code behind the
// gateway sees only the current shapes and never asks which version sent them.

/**
 * What agents of protocol v1 and v2 (every build up to release 0.1.0) can apply. Frozen: a command version added
 * later is one those agents do NOT know, so it must never be derived from today's COMMAND_PAYLOADS.
 */
export const COMMAND_VERSIONS_BEFORE_V3: Readonly<CommandVersions> = Object.freeze({
  'item.upserted': [1],
  'reservation.created': [1],
  'reservation.cancelled': [1],
  'stock.received': [1, 2],
  'restock.requested': [1],
});

/** The command versions this build can apply: every (type, schemaVersion) it has a schema for. */
export function buildCommandVersions(): CommandVersions {
  return Object.fromEntries(Object.entries(COMMAND_PAYLOADS).map(([type, versions]) => [type, Object.keys(versions).map(Number).sort((a, b) => a - b)]));
}

export type CurrentHello = AgentHello & { commandVersions: CommandVersions };

/** A hello of a connection at `version`, as the current type: agents before v3 get the command versions they knew. */
export function upcastHello(hello: AgentHello, version: number): CurrentHello {
  if (version >= COMMAND_VERSIONS_PROTOCOL_VERSION && hello.commandVersions) return { ...hello, commandVersions: hello.commandVersions };
  return { ...hello, commandVersions: { ...COMMAND_VERSIONS_BEFORE_V3 } };
}

/**
 * A status of a connection at `version`: fields that version does not define are dropped (a connection speaks one
 * version), so what an older agent never reported stays undefined and central keeps what it knew.
 */
export function upcastStatus(status: AgentStatus, version: number): AgentStatus {
  const out: AgentStatus = { pendingUp: status.pendingUp, lastError: status.lastError };
  if (version >= 2) {
    if (status.clockSkewMs !== undefined) out.clockSkewMs = status.clockSkewMs;
    if (status.diskFreeBytes !== undefined) out.diskFreeBytes = status.diskFreeBytes;
  }
  if (version >= UNSENT_STATUS_PROTOCOL_VERSION && status.unsent !== undefined) out.unsent = status.unsent;
  return out;
}
