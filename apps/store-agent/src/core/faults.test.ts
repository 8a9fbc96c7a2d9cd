import { describe, expect, it } from 'vitest';
import { parseFaults } from './faults.js';
import { settingsFromEnv } from './config.js';

describe('faults and settings', () => {
  it('parses OUTPOST_FAULT into an instance, ignoring what it does not know', () => {
    expect(parseFaults(undefined)).toEqual({ crashAfterBatchSent: null, crashAfterCommandApplied: null, crashAfterTokenStored: null });
    expect(parseFaults('agent.crashAfterBatchSent=3, central.crashBeforeCommit=2,agent.crashAfterCommandApplied=7,agent.crashAfterTokenStored=1,junk')).toEqual({
      crashAfterBatchSent: 3,
      crashAfterCommandApplied: 7,
      crashAfterTokenStored: 1,
    });
    const a = parseFaults('agent.crashAfterBatchSent=1');
    a.crashAfterBatchSent = 99;
    expect(parseFaults('').crashAfterBatchSent).toBeNull(); // no shared state between instances
  });

  it('reads tunables from the environment with production defaults and refuses nonsense', () => {
    expect(settingsFromEnv({})).toMatchObject({ reconnectMinMs: 500, reconnectMaxMs: 30_000, maxInFlight: 3, batchEvents: 500, batchBytes: 524_288, sqliteSync: 'full', port: 8090, host: '127.0.0.1', apiKey: null });
    expect(settingsFromEnv({ OUTPOST_SQLITE_SYNC: 'NORMAL', OUTPOST_BATCH_EVENTS: '200', OUTPOST_AGENT_PORT: '0' })).toMatchObject({ sqliteSync: 'normal', batchEvents: 200, port: 0 });
    expect(() => settingsFromEnv({ OUTPOST_MAX_IN_FLIGHT: '0' })).toThrow(/OUTPOST_MAX_IN_FLIGHT/);
    expect(() => settingsFromEnv({ OUTPOST_BATCH_BYTES: 'lots' })).toThrow(/OUTPOST_BATCH_BYTES/);
  });
});
