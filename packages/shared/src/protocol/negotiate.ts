import { AGENT_MIN_PROTOCOL_VERSION, MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_VERSION } from './version.js';

/** The protocol versions one side speaks, both ends included. */
export interface VersionRange {
  min: number;
  max: number;
}

export const CENTRAL_RANGE: VersionRange = { min: MIN_SUPPORTED_PROTOCOL_VERSION, max: PROTOCOL_VERSION };
export const AGENT_RANGE: VersionRange = { min: AGENT_MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION };

/** The highest version both ranges hold, or null when they do not overlap. Central's choice at the handshake. */
export function chooseVersion(agent: VersionRange, central: VersionRange): number | null {
  const v = Math.min(agent.max, central.max);
  return v >= Math.max(agent.min, central.min) ? v : null;
}

/**
 * The agent's next try after central refused its handshake with protocol_unsupported while it offered `offered`:
 * a central of v3 or later names its range (take the highest version both speak); an older central does not, so
 * step down one version. null: nothing left to try (this agent is too old or too new for that central).
 */
export function versionAfterRefusal(offered: number, agent: VersionRange, central: { minVersion?: number | undefined; maxVersion?: number | undefined }): number | null {
  const below = { min: agent.min, max: Math.min(agent.max, offered - 1) };
  if (central.maxVersion !== undefined) return chooseVersion(below, { min: central.minVersion ?? 1, max: central.maxVersion });
  return below.max >= below.min ? below.max : null;
}
