import { describe, expect, it } from 'vitest';
import { refusal } from '@outpost/shared';
import { planForRefusal } from './refusal-policy.js';

const own = { maxBatchEvents: 500, maxBatchBytes: 524_288 };
const batch = { firstSeq: 11, count: 40, bytes: 20_000 };

describe('refusal policy', () => {
  it('seq_gap resumes after the seq central expects, or reconnects when it does not say', () => {
    expect(planForRefusal(refusal('seq_gap', 'gap', { expectedSeq: 7 }), batch, own)).toMatchObject({ kind: 'hold', resumeAfter: 6, delay: 0 });
    expect(planForRefusal(refusal('seq_gap', 'gap'), batch, own)).toMatchObject({ kind: 'reconnect' });
  });

  it('batch_too_large adopts central limits, halves when none are given, and flags a lone oversize event', () => {
    expect(planForRefusal(refusal('batch_too_large', 'big', { maxBatchEvents: 100, maxBatchBytes: 16_384 }), batch, own)).toMatchObject({
      kind: 'hold',
      resumeAfter: 'acked',
      delay: 0,
      bounds: { maxBatchEvents: 100, maxBatchBytes: 16_384 },
    });
    expect(planForRefusal(refusal('batch_too_large', 'big', { maxBatchBytes: 8_000 }), batch, own)).toMatchObject({ bounds: { maxBatchEvents: 500, maxBatchBytes: 8_000 } });
    expect(planForRefusal(refusal('batch_too_large', 'big'), batch, own)).toMatchObject({ bounds: { maxBatchEvents: 20, maxBatchBytes: 10_000 } });
    const lone = planForRefusal(refusal('batch_too_large', 'big'), { firstSeq: 9, count: 1, bytes: 900_000 }, own);
    expect(lone).toMatchObject({ kind: 'hold', delay: 'backoff', error: expect.stringMatching(/event seq 9 is larger/) });
  });

  it('retry_after waits as told; other refusals become lastError with backoff; not_ready says hello again', () => {
    expect(planForRefusal(refusal('retry_after', 'busy', { retryAfterMs: 1500 }), batch, own)).toMatchObject({ kind: 'hold', delay: 1500, error: null });
    expect(planForRefusal(refusal('retry_after', 'busy'), batch, own)).toMatchObject({ delay: 'backoff' });
    for (const code of ['wrong_store', 'internal', 'bad_request'] as const) {
      expect(planForRefusal(refusal(code, 'no'), batch, own)).toMatchObject({ kind: 'hold', delay: 'backoff', error: expect.stringContaining(code) });
    }
    expect(planForRefusal(refusal('not_ready', 'hello first'), batch, own)).toMatchObject({ kind: 'reconnect' });
  });

  it('seq_conflict renumbers after central, or reconnects when central does not say where', () => {
    expect(planForRefusal(refusal('seq_conflict', 'restored', { conflictSeq: 21, storedSeq: 50 }), batch, own)).toEqual({ kind: 'renumber', conflictSeq: 21, storedSeq: 50 });
    expect(planForRefusal(refusal('seq_conflict', 'restored', { conflictSeq: 21 }), batch, own)).toMatchObject({ kind: 'reconnect' });
  });
});
