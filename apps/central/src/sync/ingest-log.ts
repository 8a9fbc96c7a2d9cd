import type { CommittedBatch, IngestObserver } from './ingest.js';

interface IngestLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

function correlationOfRaw(raw: string): string | null {
  try {
    const v = (JSON.parse(raw) as { correlationId?: unknown } | null)?.correlationId;
    return typeof v === 'string' ? v.slice(0, 128) : null;
  } catch {
    return null;
  }
}

/**
 * Ingest in the logs: a debug line per committed batch naming the correlation ids it stored, and a warning per
 * quarantined event with its own correlation id, so a store's question about one sale finds its trail.
 */
export function ingestLogObserver(log: IngestLog): IngestObserver {
  return {
    committed(b: CommittedBatch) {
      const { storeId, deviceId } = b.conn;
      log.debug(
        { storeId, deviceId, firstSeq: b.firstSeq, stored: b.inserted.length, duplicates: b.duplicates, quarantined: b.quarantined.length, correlationIds: b.inserted.map((e) => e.correlationId) },
        'batch stored',
      );
      for (const q of b.quarantined) {
        log.warn({ storeId, deviceId, seq: q.seq, eventId: q.eventId, correlationId: correlationOfRaw(q.raw), error: q.error }, 'event quarantined');
      }
    },
  };
}

/** Several observers as one (each is told in turn). */
export function allObservers(...observers: IngestObserver[]): IngestObserver {
  return {
    committed(b) {
      for (const o of observers) o.committed(b);
    },
    refused(conn, code) {
      for (const o of observers) o.refused?.(conn, code);
    },
  };
}
