/**
 * Gathers the calls made in one turn of the event loop and runs them as one batch (at most `maxBatch` each):
 * 2,000 connections woken by one notification each ask the database once, not 2,000 times. `run` answers one
 * result per key, in order; a failed batch fails every call in it.
 */
export interface TickBatcher<K, V> {
  load(key: K): Promise<V>;
}

export function createTickBatcher<K, V>(run: (keys: K[]) => Promise<V[]>, maxBatch = 500): TickBatcher<K, V> {
  let waiting: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const all = waiting;
    waiting = [];
    for (let i = 0; i < all.length; i += maxBatch) {
      const part = all.slice(i, i + maxBatch);
      run(part.map((w) => w.key)).then(
        (values) => part.forEach((w, j) => w.resolve(values[j]!)),
        (err: unknown) => part.forEach((w) => w.reject(err)),
      );
    }
  }

  return {
    load(key) {
      return new Promise<V>((resolve, reject) => {
        waiting.push({ key, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
