import type { FastifyPluginAsync } from 'fastify';
import type { HybridClock } from '@outpost/shared';
import { alertRoutes } from './alerts/index.js';
import { importRejectionRoutes } from './imports/index.js';
import { conflictRoutes, inventoryRoutes, receiptRoutes } from './inventory/index.js';
import { deviceRoutes, enrollRoutes, storeRoutes } from './fleet/index.js';
import { erpRoutes, reconciliationRoutes } from './erp/index.js';
import { eventRoutes, quarantineRoutes } from './sync/index.js';
import { itemRoutes } from './commands/index.js';
import { reportRoutes } from './reports/index.js';
import { reservationRoutes, webhookRoutes } from './reservations/index.js';
import { tokenRoutes } from './access/index.js';

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
