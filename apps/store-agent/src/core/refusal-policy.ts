import type { Refusal } from '@outpost/shared';

export interface BatchBounds {
  maxBatchEvents: number;
  maxBatchBytes: number;
}

/**
 * What the sync client does about a refused batch. A plain function over data, so every refusal rule is
 * unit-tested without a socket.
 * - hold: wait for the other outstanding acks, then after `delay` resume sending after `resumeAfter`
 *   ('acked' = the acked mark; a number = central's own word on what it holds, adopted through resync).
 * - reconnect: start over with hello.
 * - renumber: central holds conflictSeq with another event id (this data folder was restored or cloned): move our
 *   events there after central's storedSeq, keeping their ids, and resend.
 */
export type RefusalPlan =
  | { kind: 'reconnect'; reason: string }
  | { kind: 'renumber'; conflictSeq: number; storedSeq: number }
  | { kind: 'hold'; resumeAfter: number | 'acked'; delay: number | 'backoff'; error: string | null; bounds: BatchBounds | null };

export function planForRefusal(r: Refusal, batch: { firstSeq: number; count: number; bytes: number }, own: BatchBounds): RefusalPlan {
  const { code, message, details } = r.error;
  const det = (details ?? {}) as Record<string, unknown>;
  switch (code) {
    case 'seq_gap': {
      const expected = positiveInt(det.expectedSeq);
      if (expected === null) return { kind: 'reconnect', reason: 'seq_gap without expectedSeq' };
      return { kind: 'hold', resumeAfter: expected - 1, delay: 0, error: null, bounds: null };
    }
    case 'batch_too_large': {
      const ev = positiveInt(det.maxBatchEvents);
      const by = positiveInt(det.maxBatchBytes);
      // Central's numbers when it gives them; otherwise halve what was just refused.
      const given = ev !== null || by !== null;
      const bounds = {
        maxBatchEvents: Math.max(1, Math.min(own.maxBatchEvents, ev ?? (given ? Infinity : Math.floor(batch.count / 2)))),
        maxBatchBytes: Math.max(1, Math.min(own.maxBatchBytes, by ?? (given ? Infinity : Math.floor(batch.bytes / 2)))),
      };
      if (batch.count === 1) {
        // One event alone is over central's bound: nothing smaller can be sent. Say so and keep retrying slowly.
        return { kind: 'hold', resumeAfter: 'acked', delay: 'backoff', error: `event seq ${batch.firstSeq} is larger than central's batch limit (${message})`, bounds };
      }
      return { kind: 'hold', resumeAfter: 'acked', delay: 0, error: null, bounds };
    }
    case 'retry_after':
      return { kind: 'hold', resumeAfter: 'acked', delay: positiveInt(det.retryAfterMs) ?? 'backoff', error: null, bounds: null };
    case 'seq_conflict': {
      const conflictSeq = positiveInt(det.conflictSeq);
      const storedSeq = positiveInt(det.storedSeq);
      if (conflictSeq === null || storedSeq === null) return { kind: 'reconnect', reason: 'seq_conflict without conflictSeq and storedSeq' };
      return { kind: 'renumber', conflictSeq, storedSeq };
    }
    case 'not_ready':
      return { kind: 'reconnect', reason: 'central says hello is missing' };
    default:
      // wrong_store, internal, bad_request, protocol_unsupported: visible in status, retried with backoff.
      return { kind: 'hold', resumeAfter: 'acked', delay: 'backoff', error: `central refused a batch (${code}: ${message})`, bounds: null };
  }
}

function positiveInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;
}
