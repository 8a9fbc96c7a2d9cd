import fp from 'fastify-plugin';
import { startPollLoop } from '../platform/index.js';
import { maintainEventPartitions, type PartitionSettings } from './partitions.js';

export interface PartitionPluginOptions {
  settings: PartitionSettings;
  /** How often the pass runs (default hourly; the first runs at start). */
  intervalMs?: number;
  /** Run the maintenance on this node (default true; one node at a time does the work anyway). */
  background?: boolean;
}

/** Keeps the events table's month partitions ahead of time and applies OUTPOST_CENTRAL_RETENTION_MONTHS. */
export const eventPartitionsPlugin = fp<PartitionPluginOptions>(
  async (app, opts) => {
    if (opts.background === false) return;
    const log = app.log.child({ component: 'event-partitions' });
    const loop = startPollLoop({
      intervalMs: opts.intervalMs ?? 3_600_000,
      onError: (err) => log.warn({ err }, 'event partition maintenance failed; will retry'),
      pass: async () => {
        const r = await maintainEventPartitions(app.db.pool, opts.settings);
        if (r?.created.length) log.info({ months: r.created }, 'event partitions created ahead');
        if (r?.dropped.length) log.info({ partitions: r.dropped, retentionMonths: opts.settings.retentionMonths }, 'event partitions past the retention dropped (all posted)');
        for (const k of r?.kept ?? []) log.warn({ partition: k.name, unposted: k.unposted, waitingForDaySummary: k.waitingForDaySummary }, 'event partition past the retention kept: not all posted to the ERP yet');
        return false;
      },
    });
    app.addHook('onClose', async () => {
      await loop.stop();
    });
  },
  { name: 'outpost-event-partitions', fastify: '5.x', dependencies: ['outpost-db'] },
);
