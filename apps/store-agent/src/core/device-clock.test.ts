import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAgentDb } from './db/open.js';
import { DeviceClock } from './device-clock.js';
import { SyncStateStore } from './state.js';
import { TempDirs } from './testing/fixtures.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());
import { correctionFor, measureSkew, wallClockJumped } from './device-clock.js';

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
  it('notices the wall clock being set against the monotonic clock', () => {
    const mark = { wall: 1_000_000, mono: 50 };
    expect(wallClockJumped(mark, 1_060_000, 60_050, 120_000)).toBe(false);
    expect(wallClockJumped(mark, 1_060_000 - 22 * 3600_000, 60_050, 120_000)).toBe(true);
  });
  it('keeps the measured skew across a restart, and drops it when the PC clock is set right', () => {
    const file = join(dirs.make(), 'agent.db');
    const DAY = 22 * 3600_000;
    let wall = 1_800_000_000_000 + DAY;
    let mono = 0;
    let adb = openAgentDb(file);
    let state = new SyncStateStore(adb);
    state.ensure('s', 'd');
    new DeviceClock(() => wall, state, 120_000, () => mono).record(DAY);
    adb.close();

    adb = openAgentDb(file);
    state = new SyncStateStore(adb);
    const clock = new DeviceClock(() => wall, state, 120_000, () => mono);
    expect(clock.view()).toMatchObject({ clockSkewMs: DAY, clockCorrected: true });
    expect(clock.businessNow()).toBe(1_800_000_000_000);
    mono += 1000;
    wall += 1000 - DAY; // IT sets the clock right
    expect(clock.businessNow()).toBe(wall);
    expect(clock.view()).toMatchObject({ clockSkewMs: null, clockCorrected: false });
    expect(state.get().clockSkewMs).toBeNull();
    adb.close();
  });
});
