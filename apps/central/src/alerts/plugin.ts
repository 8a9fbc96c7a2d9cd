import fp from 'fastify-plugin';
import { type PollLoop, startPollLoop } from '../platform/index.js';
import { evaluateAlertsOnce, type EvaluatorDeps } from './evaluator.js';
import { createReconciliationCheck } from './reconciliation-check.js';
import { startAlertNotifier } from './notifier.js';
import type { AlertSettings } from './settings.js';

export interface AlertService {
  settings: AlertSettings;
  /** Evaluate the rules now (tests, and after a change an operator should see at once). */
  evaluateNow(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertService;
  }
}

export interface AlertPluginOptions {
  settings: AlertSettings;
  /** Evaluate and notify on this node (default true). */
  background?: boolean;
}

/** Fleet alerts: the rule evaluator (one node at a time) and the optional webhook notifier. */
export const alertsPlugin = fp<AlertPluginOptions>(
  async (app, opts) => {
    const log = app.log.child({ component: 'alerts' });
    const loops: PollLoop[] = [];
    const notifier = opts.settings.webhook && opts.background !== false
      ? startAlertNotifier({ pool: app.db.pool, webhook: opts.settings.webhook, log, pollMs: Math.min(1000, opts.settings.evaluateMs) })
      : null;
    if (notifier) loops.push(notifier);
    const deps: EvaluatorDeps = {
      pool: app.db.pool,
      settings: opts.settings,
      onlineDevices: () => app.realtime.presence.onlineDevices(),
      erpCircuitOpen: () => {
        const c = app.erp.circuit();
        return { open: c.state !== 'closed', detail: c.lastError };
      },
      log,
      onNotices: () => notifier?.wake(),
      reconciliation: createReconciliationCheck({ connector: app.erp.connector, everyMs: opts.settings.reconcileEveryMs, days: opts.settings.reconcileDays }),
    };
    const evaluateNow = () => evaluateAlertsOnce(deps);
    if (opts.background !== false) {
      loops.push(
        startPollLoop({
          intervalMs: opts.settings.evaluateMs,
          onError: (err) => log.warn({ err }, 'alert evaluation failed; will retry'),
          pass: async () => {
            await evaluateNow();
            return false;
          },
        }),
      );
    }
    app.decorate('alerts', { settings: opts.settings, evaluateNow });
    app.addHook('onClose', async () => {
      await Promise.all(loops.map((l) => l.stop()));
    });
  },
  { name: 'outpost-alerts', fastify: '5.x', dependencies: ['outpost-db', 'outpost-erp', 'outpost-realtime'] },
);
