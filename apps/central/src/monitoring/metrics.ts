import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { buildInfo } from '@outpost/shared';
import type { CommittedBatch, IngestObserver } from '../sync/index.js';

/** One route as registered: what the route catalogue holds (HTTP metrics are labelled by its pattern). */
export interface RouteEntry {
  method: string;
  url: string;
}

export interface Metrics {
  registry: Registry;
  /** Feeds the ingest counters; handed to the gateway. */
  ingest: IngestObserver;
  /** Every route registered after this plugin, in registration order (HEAD twins left out). */
  routes(): readonly RouteEntry[];
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];
const LAG_BUCKETS = [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600];

/**
 * Prometheus metrics of this central node (the README `GET /metrics`): ONE registry per app instance (tests run
 * two centrals in one process; prom-client's global registry would mix them). Counters move with traffic on
 * this node; the fleet figures (quarantine, backlog, waiting events) are read from the database at scrape time,
 * so every node reports the same truth. ERP posting is not built yet: no ERP metric is registered until it is.
 */
export const metricsPlugin = fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'outpost_central_' });
    // prom-client adds three gauges named *_total (the sums of the labelled nodejs_active_* gauges beside them);
    // Prometheus reserves _total for counters and `promtool check metrics` flags them, so they go. Summing the
    // labelled gauge gives the same figure.
    for (const kind of ['handles', 'requests', 'resources']) registry.removeSingleMetric(`outpost_central_nodejs_active_${kind}_total`);
    const registers = [registry];

    const routes: RouteEntry[] = [];
    app.addHook('onRoute', (r) => {
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: r.url });
    });

    // The usual build-info gauge: always 1, the facts in its labels (join on it to see which version a node runs).
    const build = buildInfo();
    new Gauge({
      name: 'outpost_build_info',
      help: 'The running release: version, the /agent protocol version it speaks and the oldest it accepts, Node.js version',
      labelNames: ['version', 'protocol_version', 'min_protocol_version', 'node_version'],
      registers,
    })
      .labels(build.version, String(build.protocolVersion), String(build.minProtocolVersion), build.node)
      .set(1);
    new Gauge({
      name: 'outpost_agents_connected',
      help: 'Agents with a live socket on this central node',
      registers,
      collect() {
        this.set(app.hasDecorator('realtime') ? app.realtime.presence.localDevices().length : 0);
      },
    });
    const batches = new Counter({ name: 'outpost_ingest_batches_total', help: 'Upstream batches committed', labelNames: ['store'], registers });
    const refused = new Counter({ name: 'outpost_ingest_batches_refused_total', help: 'Upstream batches refused (nothing stored), by refusal code', labelNames: ['code'], registers });
    const events = new Counter({
      name: 'outpost_ingest_events_total',
      help: 'Upstream events by outcome: stored, duplicate (already held), quarantined',
      labelNames: ['store', 'outcome'],
      registers,
    });
    const batchSize = new Histogram({ name: 'outpost_ingest_batch_size', help: 'Events per committed batch', buckets: BATCH_SIZE_BUCKETS, registers });
    const batchSeconds = new Histogram({ name: 'outpost_ingest_batch_duration_seconds', help: 'Time to store one batch (connection to COMMIT)', registers });
    const lag = new Histogram({ name: 'outpost_ingest_lag_seconds', help: 'From capture at the store (occurredAt) to storage at central', buckets: LAG_BUCKETS, registers });
    const storeLag = new Gauge({
      name: 'outpost_store_sync_lag_seconds',
      help: "Largest capture-to-central delay in the store's latest batch",
      labelNames: ['store'],
      registers,
    });

    const http = new Counter({ name: 'outpost_http_requests_total', help: 'HTTP requests by route pattern and status', labelNames: ['method', 'route', 'status'], registers });
    app.addHook('onResponse', async (request, reply) => {
      // The pattern, not the URL: ids in paths would make a series per id. Unknown paths share one label.
      http.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
    });

    // Fleet figures from the database: the first of the fleet gauges collected in a scrape reads them all, the
    // others share that read (prom-client awaits each gauge's collect in turn).
    let fleetRead: Promise<void> | null = null;
    const collectFleet = () => {
      fleetRead ??= readFleet().finally(() => {
        fleetRead = null;
      });
      return fleetRead;
    };
    const quarantineOpen = new Gauge({ name: 'outpost_quarantine_open', help: 'Quarantined events not replayed yet', registers, collect: collectFleet });
    const backlog = new Gauge({
      name: 'outpost_command_backlog',
      help: 'Commands waiting at central for the store (its furthest-behind device)',
      labelNames: ['store'],
      registers,
      collect: collectFleet,
    });
    const pendingUp = new Gauge({
      name: 'outpost_store_pending_up',
      help: 'Events waiting at the store, as its agents last reported them',
      labelNames: ['store'],
      registers,
      collect: collectFleet,
    });
    const clockSkew = new Gauge({
      name: 'outpost_store_clock_skew_seconds',
      help: "The store's clock minus central's (its most skewed device, signed), as its agents last reported it",
      labelNames: ['store'],
      registers,
      collect: collectFleet,
    });
    const storeOnline = new Gauge({
      name: 'outpost_store_online',
      help: '1 while at least one of the store\'s devices has a live socket on any central node',
      labelNames: ['store'],
      registers,
      collect: collectFleet,
    });
    const storeLastSeen = new Gauge({
      name: 'outpost_store_last_seen_timestamp_seconds',
      help: 'Last contact of any of the store\'s devices (Unix time)',
      labelNames: ['store'],
      registers,
      collect: collectFleet,
    });
    const alertsOpen = new Gauge({
      name: 'outpost_alerts_open',
      help: 'Open fleet alerts by kind and severity (GET /api/v1/alerts)',
      labelNames: ['kind', 'severity'],
      registers,
      collect: collectFleet,
    });
    async function readFleet(): Promise<void> {
      try {
        const q = await app.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM quarantine WHERE status = 'open'`);
        // One pass over the stores: presence is asked once (one cluster round trip), not per device.
        const online = app.hasDecorator('realtime') ? await app.realtime.presence.onlineDevices() : new Set<string>();
        const s = await app.db.pool.query<{
          store_id: string;
          backlog: string;
          pending_up: string;
          clock_skew_ms: string | null;
          devices: number;
          online: boolean;
          last_seen_at: Date | null;
        }>(
          `SELECT s.store_id, coalesce(max(s.command_seq - d.applied_command_seq), 0) AS backlog, coalesce(sum(d.pending_up), 0) AS pending_up,
                  (array_agg(d.clock_skew_ms ORDER BY abs(d.clock_skew_ms) DESC NULLS LAST))[1] AS clock_skew_ms,
                  count(d.device_id)::int AS devices, coalesce(bool_or(d.device_id = ANY($1::uuid[])), false) AS online,
                  max(d.last_seen_at) AS last_seen_at
           FROM stores s LEFT JOIN devices d ON d.store_id = s.store_id AND d.revoked_at IS NULL GROUP BY s.store_id`,
          [[...online]],
        );
        const a = await app.db.pool.query<{ kind: string; severity: string; n: string }>(
          `SELECT kind, severity, count(*) AS n FROM alerts WHERE closed_at IS NULL GROUP BY kind, severity`,
        );
        quarantineOpen.set(Number(q.rows[0]?.n ?? 0));
        for (const g of [backlog, pendingUp, storeOnline, storeLastSeen, alertsOpen, clockSkew]) g.reset();
        for (const r of s.rows) {
          backlog.set({ store: r.store_id }, Number(r.backlog));
          pendingUp.set({ store: r.store_id }, Number(r.pending_up));
          if (r.clock_skew_ms !== null) clockSkew.set({ store: r.store_id }, Number(r.clock_skew_ms) / 1000);
          // A store with no device yet has nothing to be online with: no series rather than a false "offline".
          if (r.devices > 0) storeOnline.set({ store: r.store_id }, r.online ? 1 : 0);
          if (r.last_seen_at) storeLastSeen.set({ store: r.store_id }, r.last_seen_at.getTime() / 1000);
        }
        for (const r of a.rows) alertsOpen.set({ kind: r.kind, severity: r.severity }, Number(r.n));
      } catch (err) {
        // A scrape during a database outage keeps the last figures; /readyz already says the database is gone.
        app.log.warn({ err }, 'metrics: could not read fleet figures');
      }
    }

    const observer: IngestObserver = {
      committed(b: CommittedBatch) {
        const store = b.conn.storeId;
        batches.inc({ store });
        batchSize.observe(b.inserted.length + b.quarantined.length + b.duplicates);
        batchSeconds.observe(b.seconds);
        if (b.inserted.length) events.inc({ store, outcome: 'stored' }, b.inserted.length);
        if (b.duplicates) events.inc({ store, outcome: 'duplicate' }, b.duplicates);
        if (b.quarantined.length) events.inc({ store, outcome: 'quarantined' }, b.quarantined.length);
        const now = Date.now();
        let worst = 0;
        for (const ev of b.inserted) {
          const s = Math.max(0, (now - Date.parse(ev.occurredAt)) / 1000);
          lag.observe(s);
          worst = Math.max(worst, s);
        }
        if (b.inserted.length) storeLag.set({ store }, worst);
      },
      refused(_conn, code) {
        refused.inc({ code });
      },
    };

    app.decorate('metrics', { registry, ingest: observer, routes: () => routes });
  },
  { name: 'outpost-metrics', fastify: '5.x', dependencies: ['outpost-db'] },
);
