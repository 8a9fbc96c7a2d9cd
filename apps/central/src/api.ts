import type { FastifyPluginAsync } from 'fastify';
import type { HybridClock } from '@outpost/shared';
import { alertRoutes } from './alerts/routes.js';
import { importRejectionRoutes } from './imports/routes.js';
import { conflictRoutes } from './inventory/conflicts-routes.js';
import { deviceRoutes } from './fleet/devices-routes.js';
import { enrollRoutes } from './fleet/enroll-routes.js';
import { erpRoutes } from './erp/routes.js';
import { eventRoutes } from './sync/events-routes.js';
import { inventoryRoutes } from './inventory/inventory-routes.js';
import { itemRoutes } from './commands/items-routes.js';
import { quarantineRoutes } from './sync/quarantine-routes.js';
import { receiptRoutes } from './inventory/receipts-routes.js';
import { reconciliationRoutes } from './erp/reconciliation-routes.js';
import { reportRoutes } from './reports/routes.js';
import { reservationRoutes } from './reservations/routes.js';
import { tokenRoutes } from './access/routes.js';
import { webhookRoutes } from './reservations/webhook-routes.js';
import { storeRoutes } from './fleet/stores-routes.js';

export interface ApiOptions {
  /** Central's hybrid clock (one per app instance): stamps receipts booked here. */
  clock: HybridClock;
}

/** `/api/v1`: enrolment is open (it carries its own one-time code); every other route names the roles it admits. */
export const apiRoutes: FastifyPluginAsync<ApiOptions> = async (app, opts) => {
  await app.register(enrollRoutes);
  await app.register(async (admin) => {
    await admin.register(tokenRoutes);
    await admin.register(storeRoutes);
    await admin.register(deviceRoutes);
    await admin.register(eventRoutes);
    await admin.register(quarantineRoutes);
    await admin.register(itemRoutes);
    await admin.register(inventoryRoutes);
    await admin.register(conflictRoutes);
    await admin.register(receiptRoutes, { clock: opts.clock });
    await admin.register(reportRoutes);
    await admin.register(reservationRoutes);
    await admin.register(webhookRoutes);
    await admin.register(erpRoutes);
    await admin.register(reconciliationRoutes);
    await admin.register(alertRoutes);
    await admin.register(importRejectionRoutes);
  });
};
