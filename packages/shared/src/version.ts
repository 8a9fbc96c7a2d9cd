import { readFileSync } from 'node:fs';
import { MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_VERSION } from './protocol/version.js';

/**
 * The release version of Outpost. Central, the store agent and the desktop app are released together under one
 * number, so every program reports this one. It is read from this package's package.json, which every build
 * ships (central and the agent both depend on @outpost/shared; src/ and dist/ sit at the same depth, so the path
 * holds in both). The workspaces' and the root's package.json carry the same number: `npm version X --workspaces
 * --include-workspace-root` sets them all, and version.test.ts fails when they differ.
 */
export const OUTPOST_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** What `--version`, /healthz, /metrics (outpost_build_info) and the agent's status say about a running program. */
export interface BuildInfo {
  version: string;
  /** The `/agent` protocol this build speaks, and the oldest it still accepts (central) — see PROTOCOL_HISTORY. */
  protocolVersion: number;
  minProtocolVersion: number;
  node: string;
}

export function buildInfo(): BuildInfo {
  return { version: OUTPOST_VERSION, protocolVersion: PROTOCOL_VERSION, minProtocolVersion: MIN_SUPPORTED_PROTOCOL_VERSION, node: process.version };
}

/** The one line `outpost-central --version` and `outpost-agent --version` print. */
export function versionLine(program: string): string {
  const b = buildInfo();
  return `${program} ${b.version} (protocol v${b.protocolVersion}, node ${b.node})`;
}
