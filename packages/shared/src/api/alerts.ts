import { z } from 'zod';
import { limitSchema, listResponse } from './common.js';

/** Kinds of fleet alert central raises (issue 16); the Prometheus rules in deploy/ mirror them. */
export const alertKindSchema = z.enum([
  'store_offline',
  'sync_lag',
  'backlog',
  'quarantine',
  'erp_dead_letters',
  'erp_circuit_open',
  'import_rejected',
  'clock_skew',
  'disk_low',
  'reconciliation_difference',
]);

export const alertsQuery = z.object({
  state: z.enum(['open', 'closed']).default('open'),
  storeId: z.string().max(64).optional(),
  kind: alertKindSchema.optional(),
  limit: limitSchema,
});

export const alertSchema = z.object({
  alertId: z.uuid(),
  kind: alertKindSchema,
  /** Absent for fleet-wide alerts (the ERP). */
  storeId: z.string().optional(),
  since: z.string(),
  severity: z.enum(['warning', 'critical']),
  detail: z.string(),
  closedAt: z.string().optional(),
});
export const alertsResponse = listResponse(alertSchema);
