import type pg from 'pg';
import { centralApi } from '@outpost/shared';
import { type PollLoop, retryDelayMs, signBody, startPollLoop } from '../platform/index.js';
import type { WebhookSettings } from './settings.js';
import { claimDue, markDelivered, markFailedAttempt, type DueDelivery } from './webhook-outbox.js';

export interface WebhookWorkerDeps {
  pool: pg.Pool;
  settings: WebhookSettings;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** How often to look for due deliveries when nothing woke the worker. */
  pollMs?: number;
}

type Outcome = { ok: true } | { ok: false; retry: boolean; error: string };

/** A 2xx is delivered; 408, 429 and 5xx, timeouts and refused connections are retried; other 4xx will not get better. */
export function classifyResponse(status: number): Outcome {
  if (status >= 200 && status < 300) return { ok: true };
  const retry = status === 408 || status === 429 || status >= 500;
  return { ok: false, retry, error: `order system answered HTTP ${status}` };
}

async function post(s: WebhookSettings, d: DueDelivery): Promise<Outcome> {
  const body = JSON.stringify(d.body);
  try {
    const res = await fetch(s.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [centralApi.WEBHOOK_SIGNATURE_HEADER]: signBody(s.secret, body),
        [centralApi.WEBHOOK_IDEMPOTENCY_HEADER]: d.idempotencyKey,
        'x-outpost-delivery': String(d.id),
        'x-correlation-id': d.body.correlationId,
      },
      body,
      signal: AbortSignal.timeout(s.timeoutMs),
    });
    const text = res.ok ? '' : (await res.text().catch(() => '')).slice(0, 300);
    const o = classifyResponse(res.status);
    return o.ok ? o : { ...o, error: text ? `${o.error}: ${text}` : o.error };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, retry: true, error: `${e.name}: ${e.cause?.code ?? e.message}` };
  }
}

/** Delivers the webhook outbox: at least once, in order per reservation, with backoff; the key dedupes at the receiver. */
export function startWebhookWorker(d: WebhookWorkerDeps): PollLoop {
  const s = d.settings;
  return startPollLoop({
    intervalMs: d.pollMs ?? Math.min(500, s.baseDelayMs),
    onError: (err) => d.log.warn({ err }, 'webhook pass failed; will retry'),
    pass: async () => {
      const due = await claimDue(d.pool, 20, s.timeoutMs * 2);
      await Promise.all(
        due.map(async (x) => {
          const o = await post(s, x);
          if (o.ok) return markDelivered(d.pool, x.id);
          d.log.warn({ deliveryId: x.id, attempt: x.attempts + 1, error: o.error, correlationId: x.body.correlationId }, 'webhook delivery failed');
          const maxAttempts = o.retry ? s.maxAttempts : x.attempts + 1;
          return markFailedAttempt(d.pool, x.id, o.error, retryDelayMs(x.attempts + 1, s.baseDelayMs, s.maxDelayMs), maxAttempts);
        }),
      );
      return due.length === 20;
    },
  });
}
