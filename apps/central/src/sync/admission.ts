/**
 * Admission control for the work a connecting agent costs central (token lookup, hello). After a restart every
 * agent of the fleet arrives within seconds; unbounded, their queries would queue in the database pool until
 * the pool's acquire timeout fails them (and ingest with them), and the agents would time out and come back for
 * more. Here at most `concurrency` tasks run, at most `maxWaiting` wait in line, and anyone beyond that is told
 * at once how long to stay away: "busy, retry after X" instead of a timeout.
 */
export interface AdmissionOptions {
  concurrency: number;
  /** Tasks allowed to wait for a slot; Infinity never answers busy (the queue is only a pacer). */
  maxWaiting: number;
  /** Bounds of the retry hint, so a burst of slow tasks never sends agents away for long. */
  minRetryMs?: number;
  maxRetryMs?: number;
}

export type Admitted<T> = { admitted: true; value: T } | { admitted: false; retryAfterMs: number };

export interface Admission {
  run<T>(task: () => Promise<T>): Promise<Admitted<T>>;
  readonly running: number;
  readonly waiting: number;
}

export function createAdmission(opts: AdmissionOptions): Admission {
  const minRetry = opts.minRetryMs ?? 500;
  const maxRetry = opts.maxRetryMs ?? 30_000;
  const line: (() => void)[] = [];
  let running = 0;
  // Mean duration of a task (moving average): the retry hint is the time the line ahead needs to clear.
  let meanMs = 10;

  function next(): void {
    while (running < opts.concurrency && line.length > 0) {
      running++;
      line.shift()!();
    }
  }

  function retryHint(): number {
    const clearMs = ((line.length + running) / opts.concurrency) * meanMs;
    return Math.round(Math.min(maxRetry, Math.max(minRetry, clearMs)));
  }

  return {
    async run<T>(task: () => Promise<T>): Promise<Admitted<T>> {
      if (running >= opts.concurrency) {
        if (line.length >= opts.maxWaiting) return { admitted: false, retryAfterMs: retryHint() };
        await new Promise<void>((resolve) => line.push(resolve));
      } else {
        running++;
      }
      const t0 = performance.now();
      try {
        return { admitted: true, value: await task() };
      } finally {
        meanMs = meanMs * 0.9 + (performance.now() - t0) * 0.1;
        running--;
        next();
      }
    },
    get running() {
      return running;
    },
    get waiting() {
      return line.length;
    },
  };
}
