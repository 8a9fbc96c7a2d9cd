import { envInt, type Env } from '@outpost/shared';

/** How central runs reservations and the order-system webhook (issue 4). One object per app instance. */
export interface ReservationSettings {
  /** Hold time of a reservation whose request names no expiresAt. */
  defaultHoldMs: number;
  /** Units of every sku kept out of what reservations may take (R4); 0 unless configured. */
  safetyStock: number;
  /** How often the sweeper looks for expired reservations and at-risk ones to reroute. */
  sweepIntervalMs: number;
  /** The order system's webhook; null = no webhook (the order system polls GET /reservations). */
  webhook: WebhookSettings | null;
}

export interface WebhookSettings {
  url: string;
  /** HMAC-SHA256 key of the signature header. */
  secret: string;
  /** First retry delay; doubles per attempt (with jitter) up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** After this many failed attempts a delivery is `failed`: listed, and replayable by hand. */
  maxAttempts: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

export const defaultReservationSettings = (): ReservationSettings => ({
  defaultHoldMs: 72 * 3600_000,
  safetyStock: 0,
  sweepIntervalMs: 1000,
  webhook: null,
});

export class ReservationConfigError extends Error {}

export function reservationSettingsFromEnv(env: Env): ReservationSettings {
  const url = env.OUTPOST_ORDER_WEBHOOK_URL;
  const secret = env.OUTPOST_ORDER_WEBHOOK_SECRET;
  if (url && !secret) throw new ReservationConfigError('OUTPOST_ORDER_WEBHOOK_URL needs OUTPOST_ORDER_WEBHOOK_SECRET (the receiver checks signatures with it)');
  if (url && !/^https?:\/\//.test(url)) throw new ReservationConfigError(`OUTPOST_ORDER_WEBHOOK_URL must be an http(s) URL, got "${url}"`);
  return {
    defaultHoldMs: envInt(env, 'OUTPOST_RESERVATION_HOLD_MINUTES', 72 * 60) * 60_000,
    safetyStock: envInt(env, 'OUTPOST_SAFETY_STOCK', 0, 0),
    sweepIntervalMs: envInt(env, 'OUTPOST_RESERVATION_SWEEP_MS', 1000),
    webhook:
      url && secret
        ? {
            url,
            secret,
            baseDelayMs: envInt(env, 'OUTPOST_WEBHOOK_RETRY_BASE_MS', 1000),
            maxDelayMs: envInt(env, 'OUTPOST_WEBHOOK_RETRY_MAX_MS', 300_000),
            maxAttempts: envInt(env, 'OUTPOST_WEBHOOK_MAX_ATTEMPTS', 20),
            timeoutMs: envInt(env, 'OUTPOST_WEBHOOK_TIMEOUT_MS', 10_000),
          }
        : null,
  };
}
