import { describe, expect, it } from 'vitest';
import { decodeHlc, encodeHlc, HybridClock } from '@outpost/shared';
import { MAX_FOLLOW_AHEAD_MS, stampAfterStore } from './central-clock.js';

const T = 1_800_000_000_000;
const at = (wall: number, node = 'dev-1') => encodeHlc({ wall, counter: 3, node });

describe('stampAfterStore', () => {
  it("stamps after a store's count that lies in central's future, without moving central's own clock there", () => {
    const clock = new HybridClock('central', () => T);
    const count = at(T + 22 * 3600_000);
    const s = stampAfterStore(clock, count, T);
    expect(s > count).toBe(true);
    expect(decodeHlc(s)).toMatchObject({ wall: T + 22 * 3600_000, counter: 4, node: 'central' });
    // Another store's receipt is stamped by central's own time.
    expect(decodeHlc(stampAfterStore(clock, null, T)).wall).toBe(T);
  });

  it("uses central's time when the store is behind, and ignores a store absurdly far ahead", () => {
    const clock = new HybridClock('central', () => T);
    expect(decodeHlc(stampAfterStore(clock, at(T - 5 * 3600_000), T)).wall).toBe(T);
    expect(decodeHlc(stampAfterStore(clock, at(T + MAX_FOLLOW_AHEAD_MS + 60_000), T)).wall).toBe(T);
  });
});
