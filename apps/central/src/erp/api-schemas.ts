import { z } from 'zod';
import { businessDateSchema, centralApi, limitSchema, listResponse } from '@outpost/shared';
import { CUTOFF_RE, POSTING_MODES } from './documents.js';
import { POSTING_STATUSES } from './postings-store.js';

// Request and answer shapes of the ERP and reconciliation routes (OpenAPI at /docs). They live with central:
// no agent speaks them.

const cursor = z.string().regex(/^\d+$/, 'after must be a cursor returned as next').optional();
const kindSchema = z.enum(['sale', 'return', 'count', 'day_summary']);

export const postingsQuery = z.object({
  status: z.enum(POSTING_STATUSES).optional(),
  storeId: z.string().optional(),
  kind: kindSchema.optional(),
  businessDate: businessDateSchema.optional(),
  after: cursor,
  limit: limitSchema,
});

export const postingSchema = z.object({
  id: z.string(),
  storeId: z.string(),
  kind: kindSchema,
  businessDate: z.string(),
  status: z.enum(POSTING_STATUSES),
  correlationId: z.string(),
  sourceEventId: z.string().nullable(),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  errorDetails: z.unknown(),
  warnings: z.array(z.string()),
  erpRef: z.string().nullable(),
  connector: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  postedAt: z.string().nullable(),
  document: z.record(z.string(), z.unknown()),
});
export const postingsResponse = listResponse(postingSchema);
export const postingParams = z.object({ id: z.uuid('posting id must be a UUID') });

export const erpStatusResponse = z.object({
  connector: z.enum(['ledger', 'tryton', 'webhook']),
  circuit: z.object({ state: z.enum(['closed', 'open', 'half_open']), consecutiveFailures: z.number().int(), retryAt: z.string().nullable(), lastError: z.string().nullable() }),
  postings: z.object({ pending: z.number().int(), posted: z.number().int(), retrying: z.number().int(), dead: z.number().int() }),
  /** The configuration check made at start (mapping file against central and the ERP); checkedAt null while it runs. */
  config: z.object({ ok: z.boolean(), checkedAt: z.string().nullable(), problems: z.array(z.string()) }),
});

export const ledgerQuery = z.object({ storeId: z.string().optional(), date: businessDateSchema.optional(), after: cursor, limit: limitSchema });
export const ledgerEntrySchema = z.object({
  erpRef: z.string(),
  postingId: z.string(),
  storeId: z.string(),
  businessDate: z.string(),
  kind: z.string(),
  currency: z.string().nullable(),
  correlationId: z.string(),
  description: z.string(),
  createdAt: z.string(),
  lines: z.array(z.object({ account: z.string(), debit: z.number().int(), credit: z.number().int(), memo: z.string().nullable() })),
  moves: z.array(z.object({ sku: z.string(), qty: z.number().int(), from: z.string(), to: z.string() })),
});
export const ledgerResponse = listResponse(ledgerEntrySchema);
export const balanceQuery = z.object({ storeId: z.string().optional(), date: businessDateSchema.optional() });
export const balanceResponse = listResponse(
  z.object({ account: z.string(), currency: z.string().nullable(), debit: z.number().int(), credit: z.number().int(), balance: z.number().int() }),
);

export const storeSettingsParams = z.object({ storeId: centralApi.storeIdSchema });
export const storeSettingsBody = z.object({
  postingMode: z.enum(POSTING_MODES as ['per_sale', 'day_summary']),
  summaryCutoff: z.string().regex(CUTOFF_RE, 'summaryCutoff must be HH:MM (UTC, on the day after the business day)').nullable().optional(),
});
export const storeSettingsResponse = z.object({
  storeId: z.string(),
  postingMode: z.enum(POSTING_MODES as ['per_sale', 'day_summary']),
  summaryCutoff: z.string().nullable(),
  effectiveCutoff: z.string(),
});

export const reconciliationQuery = z.object({
  date: businessDateSchema,
  storeId: z.string().optional(),
  after: z.string().optional(),
  limit: limitSchema,
});
const totals = z.object({
  transactionCount: z.number().int(),
  returnCount: z.number().int(),
  salesTotal: z.number().int(),
  returnsTotal: z.number().int(),
  tenders: z.array(z.object({ method: z.string(), amount: z.number().int() })),
});
export const reconciliationItem = z.object({
  storeId: z.string(),
  businessDate: z.string(),
  status: z.enum(['matched', 'differences', 'open']),
  currency: z.string().nullable(),
  store: totals.nullable(),
  central: totals,
  erp: totals,
  /** Per tender method the store counted at its day close (day.closed v2): counted, expected (tendered), counted − expected. */
  countedCash: z.array(z.object({ method: z.string(), expected: z.number().int(), counted: z.number().int(), difference: z.number().int() })),
  differences: z.array(
    z.object({
      kind: z.enum(['store_vs_central', 'counted_cash', 'not_posted', 'missing_in_erp', 'extra_in_erp', 'erp_unreachable']),
      message: z.string(),
      fields: z.array(z.object({ field: z.string(), store: z.number(), central: z.number() })).optional(),
      transactionIds: z.array(z.string()),
      returnIds: z.array(z.string()),
      postingIds: z.array(z.string()),
      details: z.unknown().optional(),
    }),
  ),
});
export const reconciliationResponse = listResponse(reconciliationItem);
