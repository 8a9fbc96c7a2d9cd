/**
 * Runs tasks strictly one after another (the batches of one connection must be applied in the order sent, while
 * the agent keeps several in flight). `pending` counts the running task plus those waiting.
 */
export interface SerialQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly pending: number;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      pending += 1;
      const result = tail.then(task).finally(() => {
        pending -= 1;
      });
      // The chain continues after a failure: one failed task must not block the ones behind it.
      tail = result.catch(() => undefined);
      return result;
    },
    get pending() {
      return pending;
    },
  };
}
