import { describe, expect, it } from 'vitest';
import { AGENT_RANGE, CENTRAL_RANGE, chooseVersion, versionAfterRefusal } from './negotiate.js';
import { PROTOCOL_VERSION } from './version.js';

describe('protocol version negotiation', () => {
  it('chooses the highest version both sides speak', () => {
    expect(chooseVersion({ min: 2, max: 3 }, { min: 1, max: 3 })).toBe(3);
    expect(chooseVersion({ min: 2, max: 4 }, { min: 1, max: 3 })).toBe(3); // agent newer than central
    expect(chooseVersion({ min: 1, max: 1 }, { min: 1, max: 3 })).toBe(1); // a v1 agent
    expect(chooseVersion({ min: 2, max: 3 }, { min: 1, max: 2 })).toBe(2); // an older central
  });
  it('finds none when the ranges do not meet', () => {
    expect(chooseVersion({ min: 1, max: 1 }, { min: 2, max: 3 })).toBeNull();
    expect(chooseVersion({ min: 4, max: 5 }, { min: 1, max: 3 })).toBeNull();
  });
  it('the current agent and central meet at the current version', () => {
    expect(chooseVersion(AGENT_RANGE, CENTRAL_RANGE)).toBe(PROTOCOL_VERSION);
  });
  it('after a refusal naming central range, retries at the highest common version', () => {
    expect(versionAfterRefusal(4, { min: 2, max: 4 }, { minVersion: 1, maxVersion: 2 })).toBe(2);
    expect(versionAfterRefusal(3, { min: 3, max: 3 }, { minVersion: 1, maxVersion: 2 })).toBeNull();
  });
  it('after a refusal from a central that names no range (v2 and older), steps down one version', () => {
    expect(versionAfterRefusal(3, { min: 2, max: 3 }, {})).toBe(2);
    expect(versionAfterRefusal(2, { min: 2, max: 3 }, {})).toBeNull();
  });
  it('never retries at a version it already offered or above', () => {
    expect(versionAfterRefusal(2, { min: 1, max: 3 }, { minVersion: 1, maxVersion: 3 })).toBe(1);
  });
});
