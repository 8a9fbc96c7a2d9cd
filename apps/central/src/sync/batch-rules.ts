import {
  boundedJson,
  MAX_NESTING_DEPTH,
  nestingDepthExceeds,
  parseEvent,
  refusal,
  storableText,
  UNSTORABLE_CHAR_MESSAGE,
  unstorableStringPath,
  UUID_RE,
  type EventEnvelope,
  type Refusal,
  type SyncLimits,
} from '@outpost/shared';

// The rules of one upstream batch (docs/protocol.md), as plain functions over data; ingest.ts does the I/O.

export interface Connection {
  storeId: string;
  deviceId: string;
}

/** Over the count or byte bound: refuse before touching anything. */
export function checkBatchBounds(byteLength: number, count: number, limits: SyncLimits): Refusal | null {
  if (byteLength > limits.maxBatchBytes) {
    return refusal('batch_too_large', `batch of ${byteLength} bytes is larger than the limit of ${limits.maxBatchBytes} bytes`, {
      maxBatchBytes: limits.maxBatchBytes,
      maxBatchEvents: limits.maxBatchEvents,
    });
  }
  if (count > limits.maxBatchEvents) {
    return refusal('batch_too_large', `batch of ${count} events is larger than the limit of ${limits.maxBatchEvents} events`, {
      maxBatchBytes: limits.maxBatchBytes,
      maxBatchEvents: limits.maxBatchEvents,
    });
  }
  return null;
}

/** The buffer must hold a JSON array of exactly `count` elements. */
export function decodeBatchEvents(bytes: Uint8Array, count: number): { ok: true; elements: unknown[] } | { ok: false; refusal: Refusal } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    return { ok: false, refusal: refusal('bad_request', `events is not valid UTF-8 JSON: ${(err as Error).message}`) };
  }
  if (!Array.isArray(parsed)) return { ok: false, refusal: refusal('bad_request', 'events must be a JSON array') };
  if (parsed.length !== count) {
    return { ok: false, refusal: refusal('bad_request', `count is ${count} but events holds ${parsed.length} elements`, { count, received: parsed.length }) };
  }
  return { ok: true, elements: parsed };
}

export type SeqCheck = { ok: true; skip: number } | { ok: false; expectedSeq: number };

/**
 * Where a batch stands against what central holds for the device. It must not leave a gap; what it repeats
 * (seq <= storedSeq) is skipped as duplicate. `skip` is how many leading elements are already held.
 */
export function checkSeq(firstSeq: number, count: number, storedSeq: number): SeqCheck {
  if (firstSeq > storedSeq + 1) return { ok: false, expectedSeq: storedSeq + 1 };
  return { ok: true, skip: Math.min(count, Math.max(0, storedSeq - firstSeq + 1)) };
}

/** The device's stream is complete up to here after the batch; never lower than before. */
export function nextStoredSeq(firstSeq: number, count: number, storedSeq: number): number {
  return Math.max(storedSeq, firstSeq + count - 1);
}

export interface QuarantineEntry {
  seq: number;
  eventId: string | null;
  /** The element as received, re-serialised. */
  raw: string;
  error: string;
}

/** Why a schema-valid event still cannot be stored (then it is quarantined), or null. */
export function unstorableReason(ev: EventEnvelope): string | null {
  const year = new Date(ev.occurredAt).getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) return `occurredAt: year ${year} is out of range`;
  // The schemas refuse these characters field by field; this walk is the last guard before jsonb, which refuses them.
  const bad = unstorableStringPath(ev.correlationId, 'correlationId') ?? unstorableStringPath(ev.payload, 'payload');
  return bad ? `${bad}: ${UNSTORABLE_CHAR_MESSAGE}` : null;
}

export { storableText };

export type Classification =
  | { kind: 'wrong_store'; seq: number; message: string }
  | { kind: 'ok'; valid: EventEnvelope[]; quarantined: QuarantineEntry[] };

function claimsOther(el: unknown, conn: Connection): string | null {
  if (typeof el !== 'object' || el === null || Array.isArray(el)) return null;
  const o = el as Record<string, unknown>;
  if ('storeId' in o && o.storeId !== conn.storeId) return `store ${JSON.stringify(o.storeId)}`;
  if ('deviceId' in o && o.deviceId !== conn.deviceId) return `device ${JSON.stringify(o.deviceId)}`;
  return null;
}

function eventIdOf(el: unknown): string | null {
  if (typeof el !== 'object' || el === null) return null;
  const id = (el as Record<string, unknown>).eventId;
  return typeof id === 'string' && UUID_RE.test(id) ? id.toLowerCase() : null;
}

/**
 * Sort the elements not yet held (from index `skip`) into valid events and quarantine entries. One element that
 * claims another store or device condemns the whole batch (a token only speaks for its own device, §8); an
 * element that merely fails validation, or whose seq disagrees with its position, is quarantined under the
 * position's seq so the stream has no hole and the store is never blocked.
 */
export function classifyBatch(elements: readonly unknown[], firstSeq: number, skip: number, conn: Connection): Classification {
  const valid: EventEnvelope[] = [];
  const quarantined: QuarantineEntry[] = [];
  for (let i = skip; i < elements.length; i++) {
    const el = elements[i];
    const seq = firstSeq + i;
    // Before anything walks it: a 5,000-level element overflowed the stack (a RangeError that failed the batch
    // on every resend). Nothing that deep is an event, so it is quarantined, stored cut at the limit.
    if (nestingDepthExceeds(el)) {
      quarantined.push({ seq, eventId: eventIdOf(el), raw: boundedJson(el), error: `nested deeper than ${MAX_NESTING_DEPTH} levels` });
      continue;
    }
    const other = claimsOther(el, conn);
    if (other) {
      return { kind: 'wrong_store', seq, message: `event at seq ${seq} claims ${other}; this connection is store ${conn.storeId}, device ${conn.deviceId}` };
    }
    const parsed = parseEvent(el);
    let error: string | null = null;
    if (!parsed.ok) error = parsed.error;
    else if (parsed.value.seq !== seq) error = `seq: ${parsed.value.seq} does not match its position in the batch (expected ${seq})`;
    else error = unstorableReason(parsed.value);
    if (parsed.ok && error === null) valid.push(parsed.value);
    // JSON text escapes NUL and lone surrogates, so the raw text itself is always storable.
    else quarantined.push({ seq, eventId: eventIdOf(el), raw: boundedJson(el), error: storableText(error ?? 'invalid') });
  }
  return { kind: 'ok', valid, quarantined };
}

/** socket.io's frame limit sits well above the batch bound, so an oversize batch gets an app-level refusal. */
export function socketBufferSize(limits: SyncLimits): number {
  return limits.maxBatchBytes * 4 + 64 * 1024;
}
