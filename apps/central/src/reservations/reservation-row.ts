import type { ReservationLine, ReservationStatus } from '@outpost/shared';
import { toNumber } from '../platform/index.js';

// A reservation row as read from the database, on its own so the store (which writes transitions) and the webhook
// outbox (which announces them) both depend on it rather than on each other.

export interface ReservationRow {
  id: number;
  storeId: string;
  reservationId: string;
  orderId: string;
  status: ReservationStatus;
  lines: ReservationLine[];
  allowReroute: boolean;
  expiresAt: Date;
  commandSeq: number;
  version: number;
  reroutedFrom: string | null;
  reroutedTo: string | null;
  rerouteTried: boolean;
  /** The store event that took effect as the pick, and as the handover (later ones are repeats). */
  pickEventId: string | null;
  pickupEventId: string | null;
  correlationId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface DbRow {
  id: string;
  store_id: string;
  reservation_id: string;
  order_id: string;
  status: ReservationStatus;
  lines: ReservationLine[];
  allow_reroute: boolean;
  expires_at: Date;
  command_seq: string;
  version: number;
  rerouted_from: string | null;
  rerouted_to: string | null;
  reroute_tried: boolean;
  pick_event_id: string | null;
  pickup_event_id: string | null;
  correlation_id: string;
  created_at: Date;
  updated_at: Date;
}

export const RESERVATION_COLUMNS = `id, store_id, reservation_id, order_id, status, lines, allow_reroute, expires_at, command_seq, version,
  rerouted_from, rerouted_to, reroute_tried, pick_event_id, pickup_event_id, correlation_id, created_at, updated_at`;

export function fromDb(r: DbRow): ReservationRow {
  return {
    id: toNumber(r.id),
    storeId: r.store_id,
    reservationId: r.reservation_id,
    orderId: r.order_id,
    status: r.status,
    lines: r.lines,
    allowReroute: r.allow_reroute,
    expiresAt: r.expires_at,
    commandSeq: toNumber(r.command_seq),
    version: r.version,
    reroutedFrom: r.rerouted_from,
    reroutedTo: r.rerouted_to,
    rerouteTried: r.reroute_tried,
    pickEventId: r.pick_event_id,
    pickupEventId: r.pickup_event_id,
    correlationId: r.correlation_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
