/**
 * Crash points for the kill -9 tests, parsed from OUTPOST_FAULT ("key=value,key=value"). An instance is
 * injected into the parts that crash, so two agents in one test process never share a fault.
 */
export interface Faults {
  /** SIGKILL self right after emitting the N-th batch of this process, before its ack is handled. */
  crashAfterBatchSent: number | null;
  /** SIGKILL self after command seq N committed locally, before it is acked. */
  crashAfterCommandApplied: number | null;
  /** SIGKILL self after the N-th rotated token of this process is stored in agent.json, before it is acked. */
  crashAfterTokenStored: number | null;
}

export const noFaults: Faults = { crashAfterBatchSent: null, crashAfterCommandApplied: null, crashAfterTokenStored: null };

export function parseFaults(spec: string | undefined): Faults {
  const f: Faults = { ...noFaults };
  for (const part of (spec ?? '').split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    const n = Number(v);
    if (!k || !Number.isSafeInteger(n)) continue;
    if (k === 'agent.crashAfterBatchSent') f.crashAfterBatchSent = n;
    if (k === 'agent.crashAfterCommandApplied') f.crashAfterCommandApplied = n;
    if (k === 'agent.crashAfterTokenStored') f.crashAfterTokenStored = n;
  }
  return f;
}

/** The kill itself: no flush, no close, no ack, exactly as a power cut or kill -9 would leave things. */
export function crashNow(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL sent');
}
