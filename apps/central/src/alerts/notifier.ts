import type pg from 'pg';
import { centralApi } from '@outpost/shared';
import { type PollLoop, retryDelayMs, signBody, startPollLoop, withTransaction } from '../platform/index.js';

// Delivers alert open/close notices to the operator's webhook (Alertmanager-style receivers, chat bridges), signed
// like the order-system webhook. In creation order, one at a time, by one node at a time (a transaction-scoped
// advisory lock), so a receiver never sees an alert's close before its open.

const NOTIFIER_LOCK = 0x6f75_7470; // 'outp': any fixed key distinct from the evaluator's
const MAX_ATTEMPTS = 20;

export interface NotifierDeps {
  pool: pg.Pool;
  webhook: { url: string; secret: string };
  log: { warn(obj: object, msg: string): void };
  pollMs: number;
}

export function startAlertNotifier(d: NotifierDeps): PollLoop {
  return startPollLoop({
    intervalMs: d.pollMs,
    onError: (err) => d.log.warn({ err }, 'alert notice pass failed; will retry'),
    pass: () =>
      withTransaction(d.pool, async (tx) => {
        const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [NOTIFIER_LOCK]);
        if (!lock.rows[0]?.ok) return false;
        const r = await tx.query<{ id: string; body: unknown; attempts: number; due: boolean }>(
          `SELECT id, body, attempts, next_attempt_at <= now() AS due FROM alert_notices WHERE status = 'pending' ORDER BY id LIMIT 1`,
        );
        const n = r.rows[0];
        if (!n || !n.due) return false;
        const body = JSON.stringify(n.body);
        let error: string | null = null;
        try {
          const res = await fetch(d.webhook.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', [centralApi.WEBHOOK_SIGNATURE_HEADER]: signBody(d.webhook.secret, body), [centralApi.WEBHOOK_IDEMPOTENCY_HEADER]: `alert-notice-${n.id}` },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          if (!res.ok) error = `receiver answered HTTP ${res.status}`;
        } catch (err) {
          const e = err as Error & { cause?: { code?: string } };
          error = `${e.name}: ${e.cause?.code ?? e.message}`;
        }
        if (error === null) {
          await tx.query(`UPDATE alert_notices SET status = 'delivered', attempts = attempts + 1 WHERE id = $1`, [n.id]);
          return true;
        }
        const attempts = n.attempts + 1;
        await tx.query(
          `UPDATE alert_notices SET attempts = $2, last_error = $3, status = CASE WHEN $2 >= $4 THEN 'failed' ELSE 'pending' END,
             next_attempt_at = now() + ($5::int * interval '1 millisecond') WHERE id = $1`,
          [n.id, attempts, error, MAX_ATTEMPTS, retryDelayMs(attempts, 1000, 300_000)],
        );
        d.log.warn({ noticeId: n.id, attempts, error }, 'alert notice not delivered; will retry');
        return false;
      }),
  });
}
