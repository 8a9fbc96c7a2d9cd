import fp from 'fastify-plugin';
import type { PollLoop } from '../platform/index.js';
import type { ReservationSettings } from './settings.js';
import { startReservationSweeper } from './sweeper.js';
import { startWebhookWorker } from './webhook-worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    reservations: { settings: ReservationSettings; wakeWebhooks(): void };
  }
}

export interface ReservationsPluginOptions {
  settings: ReservationSettings;
  /** Run the sweeper and the webhook worker on this node (default true; tests of one step turn them off). */
  background?: boolean;
}

/** Reservations as a shared service: settings for routes and ingest, the sweeper and the webhook worker. */
export const reservationsPlugin = fp<ReservationsPluginOptions>(
  async (app, opts) => {
    const loops: PollLoop[] = [];
    if (opts.background !== false) {
      loops.push(startReservationSweeper(app.db.pool, opts.settings, app.log.child({ component: 'reservation-sweeper' })));
      if (opts.settings.webhook) {
        loops.push(startWebhookWorker({ pool: app.db.pool, settings: opts.settings.webhook, log: app.log.child({ component: 'order-webhook' }) }));
      }
    }
    const webhookLoop = opts.settings.webhook && opts.background !== false ? loops[1] : undefined;
    app.decorate('reservations', { settings: opts.settings, wakeWebhooks: () => webhookLoop?.wake() });
    // Before the pool closes (the db plugin's onClose runs after this one's: reverse registration order).
    app.addHook('onClose', async () => {
      await Promise.all(loops.map((l) => l.stop()));
    });
  },
  { name: 'outpost-reservations', fastify: '5.x', dependencies: ['outpost-db'] },
);
