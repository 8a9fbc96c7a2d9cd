import { describe, expect, it } from 'vitest';
import { createFaults, parseFaults } from './faults.js';

describe('faults', () => {
  it('parses central keys and ignores the agent ones and junk', () => {
    expect(parseFaults('agent.crashAfterBatchSent=3, central.crashBeforeCommit=2')).toEqual({ crashBeforeCommit: 2 });
    expect(parseFaults('central.crashBeforeCommit=x,,=')).toEqual({ crashBeforeCommit: null });
    expect(parseFaults(undefined)).toEqual({ crashBeforeCommit: null });
  });
  it('crashes on exactly the N-th batch of its own instance', () => {
    const crashes: number[] = [];
    let n = 0;
    const a = createFaults({ crashBeforeCommit: 2 }, () => crashes.push(n));
    const b = createFaults({ crashBeforeCommit: 2 }, () => crashes.push(-1));
    for (n = 1; n <= 4; n++) a.beforeCommit();
    b.beforeCommit();
    expect(crashes).toEqual([2]);
  });
});
