import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { CircuitSnapshot } from './circuit-breaker.js';
import type { ErpConnector } from './connector.js';
import { createConnector } from './connectors/create-connector.js';
import { countByStatus, POSTING_STATUSES } from './postings-store.js';
import type { ErpSettings } from './settings.js';
import { startErpWorker, type ErpWorker } from './worker.js';

export interface ErpService {
  settings: ErpSettings;
  connector: ErpConnector;
  /** Post now rather than at the next poll (after ingest wrote postings, after a replay). */
  wake(): void;
  /** The circuit breaker of this node's worker (closed when the worker does not run here). */
  circuit(): CircuitSnapshot;
  /** The result of the configuration check made at start (checkedAt null while it runs). */
  config(): ErpConfigStatus;
}

export interface ErpConfigStatus {
  ok: boolean;
  checkedAt: string | null;
  problems: string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    erp: ErpService;
  }
}

export interface ErpPluginOptions {
  settings: ErpSettings;
  /** Run the posting worker on this node (default true; tests of one step turn it off). */
  background?: boolean;
}

const CLOSED: CircuitSnapshot = { state: 'closed', consecutiveFailures: 0, retryAt: null, lastError: null };

/** ERP posting as a service: the configured connector, the posting worker, and its metrics. */
export const erpPlugin = fp<ErpPluginOptions>(
  async (app, opts) => {
    const log = app.log.child({ component: 'erp' });
    const connector = await createConnector(opts.settings, { pool: app.db.pool, log });
    const registers = [app.metrics.registry];
    const outcomes = new Counter({ name: 'outpost_erp_postings_total', help: 'ERP posting attempts by outcome', labelNames: ['connector', 'kind', 'outcome'], registers });
    const duration = new Histogram({
      name: 'outpost_erp_post_duration_seconds',
      help: 'Time of one ERP call',
      labelNames: ['connector'],
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    let worker: ErpWorker | null = null;
    new Gauge({
      name: 'outpost_erp_postings',
      help: 'ERP postings by status (fleet-wide, read from the database)',
      labelNames: ['status'],
      registers,
      async collect() {
        const n = await countByStatus(app.db.pool);
        for (const s of POSTING_STATUSES) this.set({ status: s }, n[s]);
      },
    });
    new Gauge({
      name: 'outpost_erp_circuit_open',
      help: '1 while this node stops calling the ERP after repeated failures (0.5 half-open: one probe may go)',
      registers,
      collect() {
        const s = worker?.circuit().state ?? 'closed';
        this.set(s === 'open' ? 1 : s === 'half_open' ? 0.5 : 0);
      },
    });
    if (opts.background !== false) {
      worker = startErpWorker({
        pool: app.db.pool,
        connector,
        settings: opts.settings.worker,
        summaryCutoff: opts.settings.summaryCutoff,
        log,
        onOutcome: (o) => {
          outcomes.inc({ connector: connector.name, kind: o.kind, outcome: o.outcome });
          duration.observe({ connector: connector.name }, o.seconds);
        },
      });
    }
    // Checked once, in the background: an ERP that is slow or away must not hold up central's start.
    let config: ErpConfigStatus = { ok: true, checkedAt: null, problems: [] };
    const checking = (async () => {
      let problems: string[] = [];
      if (connector.checkConfig) {
        try {
          const stores = await app.db.pool.query<{ store_id: string }>('SELECT store_id FROM stores ORDER BY store_id');
          const items = await app.db.pool.query<{ sku: string }>('SELECT sku FROM items ORDER BY sku');
          problems = await connector.checkConfig({ storeIds: stores.rows.map((r) => r.store_id), skus: items.rows.map((r) => r.sku) });
        } catch (err) {
          problems = [`the ERP configuration could not be checked: ${err instanceof Error ? err.message : String(err)}`];
        }
      }
      config = { ok: problems.length === 0, checkedAt: new Date().toISOString(), problems };
      if (problems.length) log.warn({ problems }, 'ERP configuration has problems: postings that need the missing parts will be dead letters');
      else log.info({ connector: connector.name }, 'ERP configuration checked');
    })();
    app.decorate('erp', {
      settings: opts.settings,
      connector,
      wake: () => worker?.wake(),
      circuit: () => worker?.circuit() ?? CLOSED,
      config: () => config,
    });
    // Before the pool closes (the db plugin's onClose runs after this one's: reverse registration order).
    app.addHook('onClose', async () => {
      await checking;
      await worker?.stop();
      await connector.close();
    });
  },
  { name: 'outpost-erp', fastify: '5.x', dependencies: ['outpost-db', 'outpost-metrics'] },
);
