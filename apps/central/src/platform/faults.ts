/**
 * Crash points for the kill -9 tests, parsed from OUTPOST_FAULT ("key=value,key=value"). An instance is injected
 * into ingest, so two centrals in one test process never share a fault or its counter.
 */
export interface FaultSpec {
  /** SIGKILL self on the N-th batch this process ingests, after inserting its rows and before COMMIT. */
  crashBeforeCommit: number | null;
}

export const noFaultSpec: FaultSpec = { crashBeforeCommit: null };

export function parseFaults(spec: string | undefined): FaultSpec {
  const f: FaultSpec = { ...noFaultSpec };
  for (const part of (spec ?? '').split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    const n = Number(v);
    if (!k || !Number.isSafeInteger(n) || n <= 0) continue;
    if (k === 'central.crashBeforeCommit') f.crashBeforeCommit = n;
  }
  return f;
}

/** The live fault points of one central: counters inside, the kill injected so unit tests can observe it. */
export interface Faults {
  /** Called by ingest once per batch, after its rows are inserted and before COMMIT. */
  beforeCommit(): void;
}

export function createFaults(spec: FaultSpec, crash: () => void = crashNow): Faults {
  let batches = 0;
  return {
    beforeCommit() {
      batches += 1;
      if (spec.crashBeforeCommit !== null && batches === spec.crashBeforeCommit) crash();
    },
  };
}

export const noFaults: Faults = { beforeCommit() {} };

/** The kill itself: no rollback, no ack, exactly what a power cut or kill -9 leaves behind. */
export function crashNow(): void {
  process.kill(process.pid, 'SIGKILL');
}
