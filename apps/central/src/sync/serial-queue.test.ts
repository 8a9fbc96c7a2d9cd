import { describe, expect, it } from 'vitest';
import { createSerialQueue } from './serial-queue.js';

describe('serial queue', () => {
  it('runs tasks one after another in submission order, and continues after a failure', async () => {
    const q = createSerialQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = q.run(async () => {
      log.push('a-start');
      await gate;
      log.push('a-end');
      return 'a';
    });
    const b = q.run(async () => {
      log.push('b');
      throw new Error('b failed');
    });
    const c = q.run(async () => {
      log.push('c');
      return 'c';
    });
    expect(q.pending).toBe(3);
    await Promise.resolve();
    expect(log).toEqual(['a-start']);
    release();
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b failed');
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['a-start', 'a-end', 'b', 'c']);
    expect(q.pending).toBe(0);
  });
});
