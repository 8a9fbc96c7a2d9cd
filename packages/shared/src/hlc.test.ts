import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareHlc, decodeHlc, encodeHlc, hlcReceive, hlcTick, HybridClock, type Hlc } from './hlc.js';

describe('HLC', () => {
  it('encodes so that string order is stamp order', () => {
    fc.assert(
      fc.property(
        fc.record({ wall: fc.nat(2 ** 45), counter: fc.nat(99_999), node: fc.constantFrom('a', 'b', 'dev-1') }),
        fc.record({ wall: fc.nat(2 ** 45), counter: fc.nat(99_999), node: fc.constantFrom('a', 'b', 'dev-1') }),
        (a: Hlc, b: Hlc) => {
          const sa = encodeHlc(a);
          const sb = encodeHlc(b);
          expect(Math.sign(sa < sb ? -1 : sa > sb ? 1 : 0)).toBe(Math.sign(compareHlc(a, b)));
          expect(decodeHlc(sa)).toEqual(a);
        },
      ),
    );
  });

  it('never goes backwards when the wall clock does', () => {
    let t = 1_000_000;
    const clock = new HybridClock('dev', () => t);
    const a = clock.tick();
    t -= 60_000; // the wall clock is set back a minute
    const b = clock.tick();
    const c = clock.tick();
    expect(a < b && b < c).toBe(true);
  });

  it('orders a received stamp before the next local one, despite a slow local clock', () => {
    const fast = new HybridClock('fast', () => 1_060_000);
    const slow = new HybridClock('slow', () => 1_000_000);
    const remote = fast.tick();
    const merged = slow.receive(remote);
    expect(merged > remote).toBe(true);
    expect(slow.tick() > merged).toBe(true);
  });

  it('refuses a remote stamp far in the future', () => {
    const local: Hlc = { wall: 1000, counter: 0, node: 'a' };
    expect(() => hlcReceive(local, { wall: 1000 + 10 * 60_000, counter: 0, node: 'b' }, 1000)).toThrow(/ahead/);
  });

  it('rolls the counter over into the next millisecond', () => {
    expect(hlcTick({ wall: 5, counter: 99_999, node: 'n' }, 5)).toEqual({ wall: 6, counter: 0, node: 'n' });
  });

  it('continues after a persisted stamp (agent restart)', () => {
    const first = new HybridClock('dev', () => 10);
    first.tick();
    const last = first.tick();
    const restarted = new HybridClock('dev', () => 10, last);
    expect(restarted.tick() > last).toBe(true);
  });

  it('rejects malformed stamps', () => {
    expect(() => decodeHlc('12:3:x')).toThrow(/invalid HLC/);
  });
});
