/**
 * Hybrid logical clock (Kulkarni et al.): a stamp is (physical ms, counter, node). It never goes backwards on
 * one node even when the wall clock does, and after receiving a remote stamp the local clock is ahead of it,
 * so stamps order causally related events across devices despite clock skew.
 *
 * Encoded as a fixed-width string so that plain byte-wise string comparison is stamp comparison:
 * `WWWWWWWWWWWWWWW:CCCCC:node` (15-digit ms, 5-digit counter).
 */
export interface Hlc {
  readonly wall: number;
  readonly counter: number;
  readonly node: string;
}

const MAX_COUNTER = 99_999;
/** A remote stamp this far ahead of our wall clock is refused rather than dragging our clock into the future. */
export const DEFAULT_MAX_DRIFT_MS = 5 * 60_000;

export const HLC_RE = /^\d{15}:\d{5}:[A-Za-z0-9._-]{1,64}$/;

export function encodeHlc(h: Hlc): string {
  return `${String(h.wall).padStart(15, '0')}:${String(h.counter).padStart(5, '0')}:${h.node}`;
}

export function decodeHlc(s: string): Hlc {
  if (!HLC_RE.test(s)) throw new Error(`invalid HLC stamp: ${JSON.stringify(s)}`);
  const [wall, counter, node] = s.split(':') as [string, string, string];
  return { wall: Number(wall), counter: Number(counter), node };
}

export function compareHlc(a: Hlc, b: Hlc): number {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

/** Next stamp for a local event. */
export function hlcTick(prev: Hlc, physicalMs: number): Hlc {
  if (physicalMs > prev.wall) return { wall: physicalMs, counter: 0, node: prev.node };
  if (prev.counter >= MAX_COUNTER) return { wall: prev.wall + 1, counter: 0, node: prev.node };
  return { wall: prev.wall, counter: prev.counter + 1, node: prev.node };
}

/** Merge a received stamp into the local clock (the result is after both). */
export function hlcReceive(
  local: Hlc,
  remote: Hlc,
  physicalMs: number,
  maxDriftMs: number = DEFAULT_MAX_DRIFT_MS,
): Hlc {
  if (remote.wall - physicalMs > maxDriftMs) {
    throw new Error(`remote clock ${remote.wall - physicalMs} ms ahead of local wall clock (max ${maxDriftMs})`);
  }
  const wall = Math.max(local.wall, remote.wall, physicalMs);
  let counter: number;
  if (wall === local.wall && wall === remote.wall) counter = Math.max(local.counter, remote.counter) + 1;
  else if (wall === local.wall) counter = local.counter + 1;
  else if (wall === remote.wall) counter = remote.counter + 1;
  else counter = 0;
  if (counter > MAX_COUNTER) return { wall: wall + 1, counter: 0, node: local.node };
  return { wall, counter, node: local.node };
}

/**
 * A clock object for one node. State lives in the instance (never in the module) so tests can run several
 * devices in one process; `persisted` lets a restarted agent continue after the last stamp it issued.
 */
export class HybridClock {
  private last: Hlc;
  constructor(
    node: string,
    private readonly now: () => number = Date.now,
    persisted?: string | null,
  ) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(node)) throw new Error(`invalid HLC node id: ${node}`);
    this.last = persisted ? { ...decodeHlc(persisted), node } : { wall: 0, counter: 0, node };
  }
  tick(): string {
    this.last = hlcTick(this.last, this.now());
    return encodeHlc(this.last);
  }
  receive(remote: string): string {
    this.last = hlcReceive(this.last, decodeHlc(remote), this.now());
    return encodeHlc(this.last);
  }
  current(): string {
    return encodeHlc(this.last);
  }
}
