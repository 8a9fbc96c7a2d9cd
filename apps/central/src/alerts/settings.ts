import { envInt, type Env } from '@outpost/shared';
import type { AlertThresholds } from './rules.js';

/** How central watches the fleet (issue 16): thresholds, pacing, and where alerts are delivered. */
export interface AlertSettings {
  thresholds: AlertThresholds;
  /** How often the rules are evaluated (one node at a time evaluates). */
  evaluateMs: number;
  /** Failing ERP postings in a row (attempts of the oldest one) that count as "ERP down". */
  erpFailingAttempts: number;
  /** How often recently closed store-days are reconciled for the reconciliation_difference alert, and how far back. */
  reconcileEveryMs: number;
  reconcileDays: number;
  /** Optional receiver of alert open/close notices, signed like the order-system webhook. */
  webhook: { url: string; secret: string } | null;
}

export class AlertConfigError extends Error {}

export const defaultAlertSettings = (): AlertSettings => ({
  thresholds: { offlineSeconds: 300, syncLagSeconds: 900, backlog: 1000, clockSkewMs: 120_000, diskLowBytes: 1024 * 1048576 },
  evaluateMs: 10_000,
  erpFailingAttempts: 5,
  reconcileEveryMs: 30 * 60_000,
  reconcileDays: 3,
  webhook: null,
});

export function alertSettingsFromEnv(env: Env): AlertSettings {
  const d = defaultAlertSettings();
  const url = env.OUTPOST_ALERT_WEBHOOK_URL;
  const secret = env.OUTPOST_ALERT_WEBHOOK_SECRET;
  if (url && !secret) throw new AlertConfigError('OUTPOST_ALERT_WEBHOOK_URL needs OUTPOST_ALERT_WEBHOOK_SECRET (the receiver checks signatures with it)');
  if (url && !/^https?:\/\//.test(url)) throw new AlertConfigError(`OUTPOST_ALERT_WEBHOOK_URL must be an http(s) URL, got "${url}"`);
  return {
    thresholds: {
      offlineSeconds: envInt(env, 'OUTPOST_ALERT_OFFLINE_SECONDS', d.thresholds.offlineSeconds, 0),
      syncLagSeconds: envInt(env, 'OUTPOST_ALERT_SYNC_LAG_SECONDS', d.thresholds.syncLagSeconds, 0),
      backlog: envInt(env, 'OUTPOST_ALERT_BACKLOG', d.thresholds.backlog),
      clockSkewMs: envInt(env, 'OUTPOST_ALERT_CLOCK_SKEW_MS', d.thresholds.clockSkewMs),
      diskLowBytes: envInt(env, 'OUTPOST_ALERT_DISK_LOW_MIB', d.thresholds.diskLowBytes / 1048576) * 1048576,
    },
    evaluateMs: envInt(env, 'OUTPOST_ALERT_EVALUATE_MS', d.evaluateMs),
    erpFailingAttempts: envInt(env, 'OUTPOST_ERP_CIRCUIT_THRESHOLD', d.erpFailingAttempts),
    reconcileEveryMs: envInt(env, 'OUTPOST_ALERT_RECONCILE_SECONDS', d.reconcileEveryMs / 1000) * 1000,
    reconcileDays: envInt(env, 'OUTPOST_ALERT_RECONCILE_DAYS', d.reconcileDays),
    webhook: url && secret ? { url, secret } : null,
  };
}
