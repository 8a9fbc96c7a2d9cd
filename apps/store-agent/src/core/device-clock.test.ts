import { describe, expect, it } from 'vitest';
import { correctionFor, measureSkew } from './device-clock.js';

describe('device clock', () => {
  it('takes central time as that of the middle of the round trip', () => {
    expect(measureSkew(1_000, 1_200, 500)).toBe(600);
    expect(measureSkew(1_000, 1_000, 1_000 + 5 * 3600_000)).toBe(-5 * 3600_000);
  });
  it('corrects only beyond the tolerance, in both directions', () => {
    expect(correctionFor(null, 120_000)).toBe(0);
    expect(correctionFor(119_000, 120_000)).toBe(0);
    expect(correctionFor(22 * 3600_000, 120_000)).toBe(22 * 3600_000);
    expect(correctionFor(-5 * 3600_000, 120_000)).toBe(-5 * 3600_000);
  });
});
