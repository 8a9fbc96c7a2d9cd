import type { FastifyPluginAsync } from 'fastify';
import type { HybridClock } from '@outpost/shared';
import { alertRoutes } from '../alerts/routes.js';
import { conflictRoutes } from './conflicts.js';
import { deviceRoutes } from './devices.js';
import { enrollRoutes } from './enroll.js';
import { erpRoutes } from './erp.js';
import { eventRoutes } from './events.js';
import { inventoryRoutes } from './inventory.js';
import { itemRoutes } from './items.js';
import { quarantineRoutes } from './quarantine.js';
import { receiptRoutes } from './receipts.js';
import { reconciliationRoutes } from './reconciliation.js';
import { reportRoutes } from './reports.js';
import { reservationRoutes } from './reservations.js';
import { tokenRoutes } from './tokens.js';
import { webhookRoutes } from './webhooks.js';
import { storeRoutes } from './stores.js';

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
  });
};
