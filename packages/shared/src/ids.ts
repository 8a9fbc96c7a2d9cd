import { randomUUID } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48-bit unix ms timestamp, version 7, then 74 random bits. Time-ordered ids keep B-tree
 * inserts local (PERF.md: random keys slow batched inserts 2-3x), and sort roughly by capture time.
 * The random part comes from randomUUID (a v4, whose variant bits are already RFC's), which Node serves from
 * a cached entropy pool: ~20x cheaper than randomBytes(16) per id, and an id is made on every capture.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const r = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx
  const ts = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0');
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${r.slice(15, 18)}-${r.slice(19)}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Milliseconds since the epoch encoded in a UUIDv7. */
export function uuidv7Time(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
