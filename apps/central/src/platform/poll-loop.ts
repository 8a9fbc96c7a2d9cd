/**
 * A background job that runs `pass` every `intervalMs`, or sooner when woken, one pass at a time. Errors are
 * logged and the next pass tries again (the work lives in the database, so nothing is lost by a failed pass).
 * `pass` answers true when it may have left work behind (a full page): then it runs again at once.
 */
export interface PollLoop {
  wake(): void;
  stop(): Promise<void>;
}

export function startPollLoop(opts: { intervalMs: number; pass: () => Promise<boolean>; onError: (err: unknown) => void }): PollLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
    timer.unref();
  };
  function run(): void {
    timer = null;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      let more = false;
      try {
        more = await opts.pass();
      } catch (err) {
        if (!stopped) opts.onError(err);
      } finally {
        running = null;
      }
      const soon = more || again;
      again = false;
      schedule(soon ? 0 : opts.intervalMs);
    })();
  }
  schedule(0);
  return {
    wake: () => schedule(0),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
