import { describe, expect, it } from 'vitest';
import { uuidv7, type EventEnvelope } from '@outpost/shared';
import { firstResendMismatch, resendMismatchesToQuarantine, restoredDeviceConflict, sortNotInserted } from './resend-rules.js';

const conn = { storeId: 's1', deviceId: '0190f1e2-0000-7000-8000-000000000001' };
const ids = Array.from({ length: 6 }, () => uuidv7());

describe('firstResendMismatch', () => {
  const held = new Map<number, (string | null)[]>([
    [1, [ids[0]!]],
    [2, [ids[1]!]],
    [3, [null]], // quarantined: an element without an id
    [4, [ids[3]!]],
  ]);
  it('is null when every resent seq carries the event central holds there (a true resend)', () => {
    expect(firstResendMismatch([{ eventId: ids[0] }, { eventId: ids[1]!.toUpperCase() }, { junk: true }, { eventId: ids[3] }], 1, 4, held)).toBeNull();
  });
  it('names the first seq whose event id differs, with both ids', () => {
    expect(firstResendMismatch([{ eventId: ids[1] }, { eventId: ids[5] }, { eventId: ids[4] }], 2, 3, held)).toEqual({ seq: 3, sentEventId: ids[5], heldEventId: null });
    expect(firstResendMismatch([{ eventId: ids[5] }], 4, 1, held)).toEqual({ seq: 4, sentEventId: ids[5], heldEventId: ids[3] });
  });
  it('treats a seq central holds nothing for as a mismatch (never skip what is not there)', () => {
    expect(firstResendMismatch([{ eventId: ids[4] }], 5, 1, held)).toEqual({ seq: 5, sentEventId: ids[4], heldEventId: null });
  });
  it('only looks at the resent part (the first `skip` elements)', () => {
    expect(firstResendMismatch([{ eventId: ids[3] }, { eventId: ids[5] }], 4, 1, held)).toBeNull();
  });
  it('for a v1 agent, quarantines every resent element that is not what central holds, under its seq', () => {
    const q = resendMismatchesToQuarantine([{ eventId: ids[1] }, { junk: 1 }, { eventId: ids[5] }, { eventId: ids[4] }], 2, 4, held);
    expect(q.map((x) => [x.seq, x.eventId])).toEqual([
      [4, ids[5]],
      [5, ids[4]],
    ]);
    expect(q[0]!.error).toMatch(/cannot renumber/);
  });
});

function ev(seq: number, eventId: string): EventEnvelope {
  return { eventId, seq } as EventEnvelope;
}

describe('sortNotInserted', () => {
  it('counts the same id at the same device and seq as a duplicate, and quarantines a reuse with where it is stored', () => {
    const storedAt = new Map([
      [ids[0]!, { deviceId: conn.deviceId, seq: 1 }],
      [ids[1]!, { deviceId: conn.deviceId, seq: 2 }],
      [ids[2]!, { deviceId: 'other-device', seq: 9 }],
    ]);
    const r = sortNotInserted([ev(1, ids[0]!), ev(3, ids[1]!), ev(4, ids[2]!), ev(5, ids[4]!)], storedAt, (e) => `raw-${e.seq}`, conn);
    expect(r.duplicates).toBe(1);
    expect(r.quarantined.map((q) => [q.seq, q.eventId, q.raw])).toEqual([
      [3, ids[1], 'raw-3'],
      [4, ids[2], 'raw-4'],
      [5, ids[4], 'raw-5'],
    ]);
    expect(r.quarantined[0]!.error).toMatch(/already stored at seq 2 of this device/);
    expect(r.quarantined[1]!.error).toMatch(/seq 9 of device other-device/);
    expect(r.quarantined[2]!.error).toMatch(/seq 5 of this device already holds another event/);
  });
});

describe('restoredDeviceConflict', () => {
  it('says how many events are renumbered from where to after which seq', () => {
    const c = restoredDeviceConflict(conn, { seq: 21, sentEventId: ids[0]!, heldEventId: ids[1]! }, 50, 60, null);
    expect(c).toMatchObject({ kind: 'device_restored', storeId: 's1', sku: null, inputs: { conflictSeq: 21, storedSeq: 50, agentHighestSeq: 60 } });
    expect(c.resolution).toMatch(/40 events from seq 21 renumbered after seq 50/);
  });
});
