import type pg from 'pg';
import type { z } from 'zod';
import type { centralApi } from '@outpost/shared';
import { decodeKeyCursor, encodeKeyCursor } from '../platform/index.js';
import { reportDays } from './reports-window.js';

// Operational reports for central IT (issue 7), aggregated over the tables ingest already fills. Each report is a
// list of aggregated rows ordered by a text key and paged by an opaque cursor over that key, like every list.

type IngestRateRow = z.infer<typeof centralApi.ingestRateRowSchema>;
type SyncLagRow = z.infer<typeof centralApi.syncLagRowSchema>;
type SalesByDayRow = z.infer<typeof centralApi.salesByDayRowSchema>;
type ReturnsByReasonRow = z.infer<typeof centralApi.returnsByReasonRowSchema>;
type CountVarianceRow = z.infer<typeof centralApi.countVarianceRowSchema>;

export interface Page<T> {
  items: T[];
  next: string | null;
}

interface PageArgs {
  after?: string | undefined;
  limit: number;
}

/** Lag figures read at most this many of a store's latest events: bounded work per store however busy it is. */
const LAG_SAMPLE = 1000;

/**
 * Run `base` (which uses $1..$n of `params`) as a subquery, keep the rows after the cursor on `keys` (text
 * columns, in that order) and answer one page. A cursor that does not decode answers an empty page, as a numeric
 * cursor past the end does.
 */
async function keyedPage<R extends Record<string, unknown>>(
  pool: pg.Pool,
  base: string,
  params: unknown[],
  keys: readonly (keyof R & string)[],
  page: PageArgs,
): Promise<{ rows: R[]; next: string | null }> {
  const cursor = decodeKeyCursor(page.after, keys.length);
  if (cursor === 'invalid') return { rows: [], next: null };
  const args = [...params];
  let where = 'TRUE';
  if (cursor) {
    const marks = cursor.map((k) => {
      args.push(k);
      return `$${args.length}::text`;
    });
    where = `(${keys.map((k) => `r.${k} COLLATE "C"`).join(', ')}) > (${marks.map((m) => `${m} COLLATE "C"`).join(', ')})`;
  }
  args.push(page.limit);
  const order = keys.map((k) => `r.${k} COLLATE "C"`).join(', ');
  const r = await pool.query<R>(`SELECT * FROM (${base}) r WHERE ${where} ORDER BY ${order} LIMIT $${args.length}`, args);
  const last = r.rows.at(-1);
  const next = last && r.rows.length === page.limit ? encodeKeyCursor(keys.map((k) => String(last[k]))) : null;
  return { rows: r.rows, next };
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const iso = (v: Date | null): string | null => (v ? v.toISOString() : null);

/** Events stored (and events quarantined) per minute of arrival, for the last `minutes` minutes, zeros included. */
export async function ingestRate(
  pool: pg.Pool,
  q: { minutes: number; storeId?: string | undefined } & PageArgs,
): Promise<Page<IngestRateRow>> {
  const base = `
    WITH span AS (
      SELECT generate_series(date_trunc('minute', now()) - ($1::int - 1) * interval '1 minute', date_trunc('minute', now()), interval '1 minute') AS m
    ),
    ev AS (
      SELECT date_trunc('minute', received_at) AS m, count(*) AS n FROM events
      WHERE received_at >= date_trunc('minute', now()) - ($1::int - 1) * interval '1 minute' AND ($2::text IS NULL OR store_id = $2)
      GROUP BY 1
    ),
    qu AS (
      SELECT date_trunc('minute', received_at) AS m, count(*) AS n FROM quarantine
      WHERE received_at >= date_trunc('minute', now()) - ($1::int - 1) * interval '1 minute' AND ($2::text IS NULL OR store_id = $2)
      GROUP BY 1
    )
    SELECT to_char(span.m AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:00"Z"') AS minute, coalesce(ev.n, 0) AS events, coalesce(qu.n, 0) AS quarantined
    FROM span LEFT JOIN ev ON ev.m = span.m LEFT JOIN qu ON qu.m = span.m`;
  const { rows, next } = await keyedPage<{ minute: string; events: string; quarantined: string }>(pool, base, [q.minutes, q.storeId ?? null], ['minute'], q);
  return { items: rows.map((r) => ({ minute: r.minute, events: num(r.events), quarantined: num(r.quarantined) })), next };
}

/**
 * Per store: what its agents last said is waiting, when central last heard from it, and how long events took from
 * capture to central (received − occurred) over the store's latest events received in the window.
 */
export async function syncLag(pool: pg.Pool, q: { minutes: number } & PageArgs): Promise<Page<SyncLagRow>> {
  const base = `
    SELECT s.store_id, d.devices, d.pending_up, d.last_seen_at, lr.received_at AS last_received_at, lag.events, lag.avg_lag, lag.max_lag
    FROM stores s
    CROSS JOIN LATERAL (
      SELECT count(*) AS devices, coalesce(sum(pending_up), 0) AS pending_up, max(last_seen_at) AS last_seen_at
      FROM devices WHERE store_id = s.store_id AND revoked_at IS NULL
    ) d
    LEFT JOIN LATERAL (
      SELECT received_at FROM events WHERE store_id = s.store_id ORDER BY position DESC LIMIT 1
    ) lr ON TRUE
    CROSS JOIN LATERAL (
      SELECT count(*) AS events, avg(lag_s) AS avg_lag, max(lag_s) AS max_lag
      FROM (
        -- An agent whose clock is off dates its events by central's clock (device-clock.ts), so received_at -
        -- occurred_at is the lag in central's view; what is left of a skew (within the agent's tolerance, or
        -- before its first connection) never shows as a negative lag: nothing arrives before it happened.
        SELECT e.received_at,
               greatest(0, extract(epoch FROM e.received_at - e.occurred_at)) AS lag_s
        FROM events e WHERE e.store_id = s.store_id ORDER BY e.position DESC LIMIT ${LAG_SAMPLE}
      ) latest
      WHERE received_at >= now() - $1::int * interval '1 minute'
    ) lag`;
  const { rows, next } = await keyedPage<{
    store_id: string;
    devices: string;
    pending_up: string;
    last_seen_at: Date | null;
    last_received_at: Date | null;
    events: string;
    avg_lag: string | null;
    max_lag: string | null;
  }>(pool, base, [q.minutes], ['store_id'], q);
  return {
    items: rows.map((r) => ({
      storeId: r.store_id,
      devices: num(r.devices),
      pendingUp: num(r.pending_up),
      lastSeenAt: iso(r.last_seen_at),
      lastReceivedAt: iso(r.last_received_at),
      events: num(r.events),
      avgLagSeconds: numOrNull(r.avg_lag),
      maxLagSeconds: numOrNull(r.max_lag),
    })),
    next,
  };
}

interface DaysArgs extends PageArgs {
  from?: string | undefined;
  to?: string | undefined;
  storeId?: string | undefined;
}

/** Sales and returns per business day, store and currency (money in minor units; line totals qty × unitPrice). */
export async function salesByDay(pool: pg.Pool, q: DaysArgs, now = new Date()): Promise<Page<SalesByDayRow>> {
  const { from, to } = reportDays(q, now);
  const base = `
    WITH s AS (
      SELECT e.store_id, e.payload->>'businessDate' AS business_date, e.payload->>'currency' AS currency, count(*) AS sales,
             sum(t.amount) AS sales_amount, sum(t.units) AS units_sold
      FROM events e
      CROSS JOIN LATERAL (
        SELECT coalesce(sum((l->>'qty')::bigint * (l->>'unitPrice')::bigint), 0) AS amount, coalesce(sum((l->>'qty')::bigint), 0) AS units
        FROM jsonb_array_elements(e.payload->'lines') l
      ) t
      WHERE e.type = 'sale.completed' AND e.payload->>'businessDate' BETWEEN $1 AND $2 AND ($3::text IS NULL OR e.store_id = $3)
      GROUP BY 1, 2, 3
    ),
    r AS (
      SELECT e.store_id, e.payload->>'businessDate' AS business_date, e.payload->>'currency' AS currency, count(*) AS returns,
             sum(t.amount) AS returns_amount, sum(t.units) AS units_returned
      FROM events e
      CROSS JOIN LATERAL (
        SELECT coalesce(sum((l->>'refundAmount')::bigint), 0) AS amount, coalesce(sum((l->>'qty')::bigint), 0) AS units
        FROM jsonb_array_elements(e.payload->'lines') l
      ) t
      WHERE e.type = 'return.received' AND e.payload->>'businessDate' BETWEEN $1 AND $2 AND ($3::text IS NULL OR e.store_id = $3)
      GROUP BY 1, 2, 3
    )
    SELECT business_date, store_id, currency, s.sales, s.sales_amount, s.units_sold, r.returns, r.returns_amount, r.units_returned
    FROM s FULL JOIN r USING (store_id, business_date, currency)`;
  const { rows, next } = await keyedPage<Record<string, string | null> & { business_date: string; store_id: string; currency: string }>(
    pool,
    base,
    [from, to, q.storeId ?? null],
    ['business_date', 'store_id', 'currency'],
    q,
  );
  return {
    items: rows.map((r) => ({
      businessDate: r.business_date,
      storeId: r.store_id,
      currency: r.currency,
      sales: num(r.sales),
      salesAmount: num(r.sales_amount),
      unitsSold: num(r.units_sold),
      returns: num(r.returns),
      returnsAmount: num(r.returns_amount),
      unitsReturned: num(r.units_returned),
    })),
    next,
  };
}

/** Returned lines per reason code (and currency, since refunds are money), over business days. */
export async function returnsByReason(pool: pg.Pool, q: DaysArgs, now = new Date()): Promise<Page<ReturnsByReasonRow>> {
  const { from, to } = reportDays(q, now);
  const base = `
    SELECT l->>'reasonCode' AS reason_code, e.payload->>'currency' AS currency, count(*) AS lines,
           sum((l->>'qty')::bigint) AS qty, sum((l->>'refundAmount')::bigint) AS refund_amount
    FROM events e CROSS JOIN LATERAL jsonb_array_elements(e.payload->'lines') l
    WHERE e.type = 'return.received' AND e.payload->>'businessDate' BETWEEN $1 AND $2 AND ($3::text IS NULL OR e.store_id = $3)
    GROUP BY 1, 2`;
  const { rows, next } = await keyedPage<{ reason_code: string; currency: string; lines: string; qty: string; refund_amount: string }>(
    pool,
    base,
    [from, to, q.storeId ?? null],
    ['reason_code', 'currency'],
    q,
  );
  return {
    items: rows.map((r) => ({ reasonCode: r.reason_code, currency: r.currency, lines: num(r.lines), qty: num(r.qty), refundAmount: num(r.refund_amount) })),
    next,
  };
}

/**
 * Inventory accuracy per store: of the (count, sku) lines counted on those days (UTC day central booked them),
 * how many matched the books, and the net and absolute variance (counted − expected at the count's moment).
 */
export async function countVariance(pool: pg.Pool, q: DaysArgs, now = new Date()): Promise<Page<CountVarianceRow>> {
  const { from, to } = reportDays(q, now);
  const base = `
    SELECT store_id, count(*) AS counted_lines, count(*) FILTER (WHERE variance = 0) AS exact_lines,
           sum(variance) AS net_variance, sum(abs(variance)) AS abs_variance
    FROM inventory_counts
    WHERE created_at >= ($1::date)::timestamp AT TIME ZONE 'UTC' AND created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
      AND ($3::text IS NULL OR store_id = $3)
    GROUP BY store_id`;
  const { rows, next } = await keyedPage<{ store_id: string; counted_lines: string; exact_lines: string; net_variance: string; abs_variance: string }>(
    pool,
    base,
    [from, to, q.storeId ?? null],
    ['store_id'],
    q,
  );
  return {
    items: rows.map((r) => {
      const counted = num(r.counted_lines);
      const exact = num(r.exact_lines);
      return {
        storeId: r.store_id,
        countedLines: counted,
        exactLines: exact,
        accuracy: counted === 0 ? 0 : exact / counted,
        netVariance: num(r.net_variance),
        absVariance: num(r.abs_variance),
      };
    }),
    next,
  };
}
