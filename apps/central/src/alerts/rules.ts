import { centralApi } from '@outpost/shared';

/**
 * Fleet health rules as plain functions over a snapshot of the fleet (read by store.ts): what needs an operator
 * now. Each condition has a key (kind + store) so an alert that stays true keeps its start time across
 * evaluations, and closes when its condition is gone.
 */

/** The kinds are the contract's (`centralApi.alertKindSchema`): the API, the console and deploy/ share them. */
export const ALERT_KINDS = centralApi.alertKindSchema.options;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type Severity = 'warning' | 'critical';

export interface AlertThresholds {
  /** A store none of whose devices has been connected for this long. */
  offlineSeconds: number;
  /** Capture-to-central delay of the store's latest stored event, while it still has events waiting. */
  syncLagSeconds: number;
  /** Events waiting at one store (as its agents report) or commands waiting at central for it. */
  backlog: number;
  /** Device clock off central's by more than this. */
  clockSkewMs: number;
  /** Free disk below this on a device. */
  diskLowBytes: number;
}

export interface DeviceSnapshot {
  deviceId: string;
  online: boolean;
  lastSeenAt: Date | null;
  pendingUp: number | null;
  clockSkewMs?: number | null;
  diskFreeBytes?: number | null;
}

export interface StoreSnapshot {
  storeId: string;
  devices: DeviceSnapshot[];
  /** Commands appended for the store that its furthest-behind device has not applied. */
  commandBacklog: number;
  /** The latest stored event's capture and arrival times (null: nothing stored yet). */
  latestEvent: { occurredAt: Date; receivedAt: Date } | null;
  quarantineOpen: number;
  erpDead: number;
  /** Till files rejected at the store and not yet cleared. */
  importRejected?: { file: string; line: number | null; reason: string; at: Date }[];
  /** Business days whose reconciliation shows differences. */
  reconciliationDifferences?: string[];
}

export interface FleetSnapshot {
  stores: StoreSnapshot[];
  /** The ERP refuses calls or is unreachable: postings failing in a row past the circuit threshold. */
  erpFailing: { failing: boolean; detail: string | null };
}

export interface AlertCondition {
  key: string;
  kind: AlertKind;
  storeId: string | null;
  severity: Severity;
  /** Since when it is true, when the data says (an offline store: its last contact); else the evaluation time. */
  since: Date | null;
  detail: string;
}

const key = (kind: AlertKind, storeId: string | null) => `${kind}:${storeId ?? '*'}`;

function cond(kind: AlertKind, storeId: string | null, severity: Severity, detail: string, since: Date | null = null): AlertCondition {
  return { key: key(kind, storeId), kind, storeId, severity, since, detail };
}

/** Every condition that holds now. */
export function evaluateFleet(snap: FleetSnapshot, t: AlertThresholds, now: Date): AlertCondition[] {
  const out: AlertCondition[] = [];
  if (snap.erpFailing.failing) out.push(cond('erp_circuit_open', null, 'critical', snap.erpFailing.detail ?? 'the ERP is failing: postings wait'));
  for (const s of snap.stores) out.push(...evaluateStore(s, t, now));
  return out;
}

export function evaluateStore(s: StoreSnapshot, t: AlertThresholds, now: Date): AlertCondition[] {
  const out: AlertCondition[] = [];
  const devices = s.devices;
  if (devices.length > 0 && devices.every((d) => !d.online)) {
    const last = devices.reduce<Date | null>((m, d) => (d.lastSeenAt && (!m || d.lastSeenAt > m) ? d.lastSeenAt : m), null);
    const offlineMs = last ? now.getTime() - last.getTime() : Infinity;
    if (offlineMs >= t.offlineSeconds * 1000) {
      out.push(cond('store_offline', s.storeId, 'warning', last ? `no device connected since ${last.toISOString()}` : 'no device has ever connected', last));
    }
  }
  const waiting = devices.reduce((n, d) => n + (d.pendingUp ?? 0), 0);
  if (s.latestEvent && waiting > 0) {
    const lagS = (s.latestEvent.receivedAt.getTime() - s.latestEvent.occurredAt.getTime()) / 1000;
    if (lagS >= t.syncLagSeconds) out.push(cond('sync_lag', s.storeId, 'warning', `latest event reached central ${Math.round(lagS)} s after capture; ${waiting} still waiting`));
  }
  if (waiting >= t.backlog || s.commandBacklog >= t.backlog) {
    out.push(cond('backlog', s.storeId, 'warning', `${waiting} events waiting at the store, ${s.commandBacklog} commands waiting at central`));
  }
  if (s.quarantineOpen > 0) out.push(cond('quarantine', s.storeId, 'warning', `${s.quarantineOpen} quarantined event(s) to look at`));
  if (s.erpDead > 0) out.push(cond('erp_dead_letters', s.storeId, 'warning', `${s.erpDead} ERP posting(s) refused (dead letters)`));
  const skewed = devices.filter((d) => d.clockSkewMs != null && Math.abs(d.clockSkewMs) >= t.clockSkewMs);
  if (skewed.length > 0) {
    const worst = skewed.reduce((a, b) => (Math.abs(b.clockSkewMs!) > Math.abs(a.clockSkewMs!) ? b : a));
    out.push(cond('clock_skew', s.storeId, 'warning', `device ${worst.deviceId} clock off by ${Math.round(worst.clockSkewMs! / 1000)} s`));
  }
  const low = devices.filter((d) => d.diskFreeBytes != null && d.diskFreeBytes < t.diskLowBytes);
  if (low.length > 0) {
    const worst = low.reduce((a, b) => (b.diskFreeBytes! < a.diskFreeBytes! ? b : a));
    out.push(cond('disk_low', s.storeId, 'critical', `device ${worst.deviceId} has ${Math.round(worst.diskFreeBytes! / 1048576)} MiB free`));
  }
  const rejected = s.importRejected ?? [];
  if (rejected.length > 0) {
    const r = rejected[rejected.length - 1]!;
    out.push(cond('import_rejected', s.storeId, 'warning', `${rejected.length} till file(s) rejected; latest ${r.file}${r.line === null ? '' : ` line ${r.line}`}: ${r.reason}`, rejected[0]!.at));
  }
  const days = s.reconciliationDifferences ?? [];
  if (days.length > 0) out.push(cond('reconciliation_difference', s.storeId, 'warning', `differences on ${days.join(', ')}`));
  return out;
}

export interface OpenAlert {
  alertId: string;
  key: string;
  detail: string;
}

/** What to open, what to close, and which open alerts changed their detail. */
export function diffAlerts(open: readonly OpenAlert[], now: readonly AlertCondition[]): { opened: AlertCondition[]; closed: OpenAlert[]; changed: { alertId: string; detail: string }[] } {
  const byKey = new Map(open.map((a) => [a.key, a]));
  const seen = new Set<string>();
  const opened: AlertCondition[] = [];
  const changed: { alertId: string; detail: string }[] = [];
  for (const c of now) {
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    const existing = byKey.get(c.key);
    if (!existing) opened.push(c);
    else if (existing.detail !== c.detail) changed.push({ alertId: existing.alertId, detail: c.detail });
  }
  const closed = open.filter((a) => !seen.has(a.key));
  return { opened, closed, changed };
}
