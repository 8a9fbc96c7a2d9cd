import { describe, expect, it } from 'vitest';
import { createAdmission } from './admission.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('admission', () => {
  it('runs at most `concurrency` tasks, lines up `maxWaiting` more, and answers busy with a bounded hint beyond', async () => {
    const a = createAdmission({ concurrency: 2, maxWaiting: 1, minRetryMs: 300, maxRetryMs: 5000 });
    const g = gate();
    let peak = 0;
    const task = async () => {
      peak = Math.max(peak, a.running);
      await g.promise;
      return 'done';
    };
    const first = [a.run(task), a.run(task), a.run(task)];
    expect(a.running).toBe(2);
    expect(a.waiting).toBe(1);
    const refused = await a.run(task);
    expect(refused.admitted).toBe(false);
    if (!refused.admitted) expect(refused.retryAfterMs).toBeGreaterThanOrEqual(300);
    if (!refused.admitted) expect(refused.retryAfterMs).toBeLessThanOrEqual(5000);
    g.open();
    expect(await Promise.all(first)).toEqual([
      { admitted: true, value: 'done' },
      { admitted: true, value: 'done' },
      { admitted: true, value: 'done' },
    ]);
    expect(peak).toBe(2);
    expect(a.running).toBe(0);
  });

  it('frees the slot of a task that fails, so the line behind it moves on', async () => {
    const a = createAdmission({ concurrency: 1, maxWaiting: Infinity });
    const failed = a.run(() => Promise.reject(new Error('db down')));
    const after = a.run(() => Promise.resolve(7));
    await expect(failed).rejects.toThrow('db down');
    expect(await after).toEqual({ admitted: true, value: 7 });
  });
});
