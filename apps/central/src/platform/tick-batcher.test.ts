import { describe, expect, it } from 'vitest';
import { createTickBatcher } from './tick-batcher.js';

describe('tick batcher', () => {
  it('runs the calls of one turn as batches of at most maxBatch, answering each caller its own result', async () => {
    const runs: number[][] = [];
    const b = createTickBatcher(async (keys: number[]) => {
      runs.push(keys);
      return keys.map((k) => k * 10);
    }, 3);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((k) => b.load(k)));
    expect(answers).toEqual([10, 20, 30, 40, 50]);
    expect(runs).toEqual([[1, 2, 3], [4, 5]]);
    expect(await b.load(6)).toBe(60);
    expect(runs).toHaveLength(3);
  });

  it('fails every call of a failed batch, and the next batch runs', async () => {
    let fail = true;
    const b = createTickBatcher(async (keys: string[]) => {
      if (fail) throw new Error('db down');
      return keys;
    });
    const r = await Promise.allSettled([b.load('a'), b.load('b')]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.load('c')).toBe('c');
  });
});
