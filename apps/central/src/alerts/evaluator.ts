import type pg from 'pg';
import { withTransaction } from '../platform/index.js';
import type { ReconciliationCheck } from './reconciliation-check.js';
import { diffAlerts, evaluateFleet } from './rules.js';
import type { AlertSettings } from './settings.js';
import { applyAlertChanges, openAlerts, readFleetSnapshot } from './store.js';

// Evaluates the health rules every few seconds on ONE node at a time (a transaction-scoped advisory lock: the
// other nodes skip the pass), so each condition opens one alert with one start time however many nodes run.

const EVALUATOR_LOCK = 0x6f75_7461; // 'outa'

export interface EvaluatorDeps {
  pool: pg.Pool;
  settings: AlertSettings;
  /** Devices with a live socket on any node: one cluster round trip per pass. */
  onlineDevices: () => Promise<ReadonlySet<string>>;
  /** This node's ERP circuit is open (the ERP refuses or is unreachable). */
  erpCircuitOpen: () => { open: boolean; detail: string | null };
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Notices were written: deliver them now. */
  onNotices?: () => void;
  /** Store-days whose reconciliation shows lasting differences (absent: that alert is not evaluated). */
  reconciliation?: ReconciliationCheck;
  now?: () => Date;
}

/** One evaluation pass; a no-op when another node holds the evaluator lock. */
export function evaluateAlertsOnce(d: EvaluatorDeps): Promise<void> {
  return withTransaction(d.pool, async (tx) => {
    const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [EVALUATOR_LOCK]);
    if (!lock.rows[0]?.ok) return;
    const now = d.now?.() ?? new Date();
    const snap = await readFleetSnapshot(tx, await d.onlineDevices());
    if (d.reconciliation) {
      for (const [storeId, days] of await d.reconciliation.differences(tx)) {
        const st = snap.stores.find((x) => x.storeId === storeId);
        if (st) st.reconciliationDifferences = days;
      }
    }
    const circuit = d.erpCircuitOpen();
    const failing = circuit.open || snap.erpFailingAttempts >= d.settings.erpFailingAttempts;
    const detail = circuit.open
      ? `ERP circuit open: ${circuit.detail ?? 'calls stopped after repeated failures'}`
      : `an ERP posting failed ${snap.erpFailingAttempts} times in a row; postings wait`;
    const conditions = evaluateFleet({ stores: snap.stores, erpFailing: { failing, detail } }, d.settings.thresholds, now);
    const change = diffAlerts(await openAlerts(tx), conditions);
    const notices = await applyAlertChanges(tx, change, now, d.settings.webhook !== null);
    for (const c of change.opened) d.log.warn({ kind: c.kind, storeId: c.storeId, detail: c.detail }, 'alert opened');
    for (const a of change.closed) d.log.info({ alertId: a.alertId, key: a.key }, 'alert closed');
    if (notices > 0) setImmediate(() => d.onNotices?.());
  });
}
