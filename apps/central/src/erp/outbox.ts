import { uuidv7, type EventEnvelope } from '@outpost/shared';
import { type Queryable, toNumber } from '../platform/index.js';
import type { ErpDocument } from './connector.js';
import { daySummaries, documentOf, summarised, type PostingMode } from './documents.js';

// The ERP posting outbox (docs/erp.md): postings are written in the transaction that stores their events, so a
// committed sale always reaches the ERP and a rolled-back batch never does. Each event is covered by exactly one
// posting (erp_posting_events), whatever mode the store was in when it arrived.

export interface NewPosting {
  postingId: string;
  storeId: string;
  businessDate: string;
  correlationId: string;
  /** The one event of a per-document posting; null for a day summary. */
  sourceEventId: string | null;
  document: ErpDocument;
  /** Every event the posting covers. */
  eventIds: string[];
}

export async function postingModeOf(tx: Queryable, storeId: string): Promise<PostingMode> {
  const r = await tx.query<{ posting_mode: PostingMode }>('SELECT posting_mode FROM erp_store_settings WHERE store_id = $1', [storeId]);
  return r.rows[0]?.posting_mode ?? 'per_sale';
}

const INSERT_POSTINGS = `
  INSERT INTO erp_postings (posting_id, store_id, kind, business_date, correlation_id, source_event_id, document)
  SELECT i, s, k, b, c, e, d::jsonb
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[]) WITH ORDINALITY AS u(i, s, k, b, c, e, d, n)
  ORDER BY n
  ON CONFLICT DO NOTHING`;

/** Insert postings (in the order given, which is the order a store's postings go out) and what they cover. */
export async function insertPostings(tx: Queryable, postings: readonly NewPosting[]): Promise<void> {
  if (postings.length === 0) return;
  await tx.query(INSERT_POSTINGS, [
    postings.map((p) => p.postingId),
    postings.map((p) => p.storeId),
    postings.map((p) => p.document.kind),
    postings.map((p) => p.businessDate),
    postings.map((p) => p.correlationId),
    postings.map((p) => p.sourceEventId),
    postings.map((p) => JSON.stringify(p.document)),
  ]);
  const cover = postings.flatMap((p) => p.eventIds.map((e) => [p.storeId, e, p.postingId] as const));
  await tx.query(
    `INSERT INTO erp_posting_events (store_id, event_id, posting_id) SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[]) ON CONFLICT DO NOTHING`,
    [cover.map((c) => c[0]), cover.map((c) => c[1]), cover.map((c) => c[2])],
  );
  // The store's lease row, so a worker can claim it; a conflict leaves an existing row (and its holder) alone.
  const stores = [...new Set(postings.map((p) => p.storeId))];
  await tx.query('INSERT INTO erp_store_leases (store_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [stores]);
}

/** Central's count variance per (count event, sku), as the merge recorded it in this transaction. */
async function countVariances(tx: Queryable, storeId: string, countIds: string[]): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (countIds.length === 0) return out;
  const r = await tx.query<{ source_id: string; sku: string; variance: string }>(
    'SELECT source_id, sku, variance FROM inventory_counts WHERE store_id = $1 AND source_id = ANY($2::text[])',
    [storeId, countIds],
  );
  for (const row of r.rows) {
    const m = out.get(row.source_id) ?? new Map<string, number>();
    m.set(row.sku, toNumber(row.variance));
    out.set(row.source_id, m);
  }
  return out;
}

/**
 * The ERP side of newly stored events, inside the ingest transaction: per-sale mode posts each sale, return and
 * count as its own document; summary mode queues sales and returns for the day summary, which a day.closed in
 * the same batch (or the cut-off, later) cuts. Only events actually inserted reach here (R1).
 */
export async function writePostings(tx: Queryable, storeId: string, events: readonly EventEnvelope[]): Promise<number> {
  const relevant = events.filter((e) => e.type === 'sale.completed' || e.type === 'return.received' || e.type === 'count.submitted' || e.type === 'day.closed');
  if (relevant.length === 0) return 0;
  const mode = await postingModeOf(tx, storeId);
  const variances = await countVariances(
    tx,
    storeId,
    relevant.filter((e) => e.type === 'count.submitted').map((e) => e.eventId),
  );
  const postings: NewPosting[] = [];
  const queued: EventEnvelope<'sale.completed' | 'return.received'>[] = [];
  for (const ev of relevant) {
    if (ev.type === 'day.closed') continue;
    if (mode === 'day_summary' && summarised(ev)) {
      queued.push(ev);
      continue;
    }
    const document = documentOf(ev, variances.get(ev.eventId));
    if (!document) continue;
    postings.push({ postingId: uuidv7(), storeId, businessDate: document.businessDate, correlationId: ev.correlationId, sourceEventId: ev.eventId, document, eventIds: [ev.eventId] });
  }
  await insertPostings(tx, postings);
  if (queued.length > 0) {
    await tx.query(
      'INSERT INTO erp_day_pending (store_id, business_date, event_id) SELECT $1, d, e FROM unnest($2::text[], $3::uuid[]) AS u(d, e) ON CONFLICT DO NOTHING',
      [storeId, queued.map((e) => e.payload.businessDate), queued.map((e) => e.eventId)],
    );
  }
  let summaries = 0;
  // A day close cuts that day's summary now, whatever the mode (rows queued while the store was in summary mode).
  for (const ev of relevant) {
    if (ev.type === 'day.closed') summaries += (await cutDaySummary(tx, storeId, ev.payload.businessDate, ev.correlationId)).length;
  }
  return postings.length + summaries;
}

interface StoredSaleOrReturn {
  event_id: string;
  type: 'sale.completed' | 'return.received';
  payload: EventEnvelope<'sale.completed' | 'return.received'>['payload'];
  correlation_id: string;
}

/**
 * Cut the day summary of what is queued for (store, business day): one posting per currency. Rows are taken with
 * DELETE ... RETURNING, so two cutters never put the same sale into two summaries; a sale queued after the cut
 * (a late device) makes a supplementary summary at the next cut.
 */
export async function cutDaySummary(tx: Queryable, storeId: string, businessDate: string, correlationId: string | null): Promise<NewPosting[]> {
  const taken = await tx.query<{ event_id: string }>('DELETE FROM erp_day_pending WHERE store_id = $1 AND business_date = $2 RETURNING event_id', [storeId, businessDate]);
  if (taken.rows.length === 0) return [];
  const r = await tx.query<StoredSaleOrReturn>(
    // event_month (the partition key, a function of the id) lets PostgreSQL read only the partitions of these ids.
    `SELECT event_id, type, payload, correlation_id FROM events
      WHERE store_id = $1 AND event_id = ANY($2::uuid[])
        AND event_month = ANY(ARRAY(SELECT DISTINCT outpost_event_month(x) FROM unnest($2::uuid[]) AS u(x)))
      ORDER BY hlc, position`,
    [storeId, taken.rows.map((x) => x.event_id)],
  );
  const events = r.rows.map((x) => ({ eventId: x.event_id, type: x.type, payload: x.payload, correlationId: x.correlation_id }) as EventEnvelope<'sale.completed' | 'return.received'>);
  const corr = correlationId ?? `day:${storeId}:${businessDate}:${uuidv7()}`;
  const postings: NewPosting[] = daySummaries(businessDate, events).map((document) => ({
    postingId: uuidv7(),
    storeId,
    businessDate,
    correlationId: corr,
    sourceEventId: null,
    document,
    eventIds: events.filter((e) => e.payload.currency === document.currency).map((e) => e.eventId),
  }));
  await insertPostings(tx, postings);
  return postings;
}

/** (store, day) pairs whose queued sales are due for a summary: the cut-off passed, or the day already has one. */
export async function dueSummaryDays(q: Queryable, defaultCutoff: string): Promise<{ storeId: string; businessDate: string }[]> {
  const r = await q.query<{ store_id: string; business_date: string }>(
    `SELECT DISTINCT p.store_id, p.business_date
     FROM erp_day_pending p LEFT JOIN erp_store_settings s ON s.store_id = p.store_id
     WHERE ((p.business_date::date + 1) + COALESCE(s.summary_cutoff, $1)::time) AT TIME ZONE 'UTC' <= now()
        OR EXISTS (SELECT 1 FROM erp_postings x WHERE x.store_id = p.store_id AND x.business_date = p.business_date AND x.kind = 'day_summary')
     ORDER BY 1, 2 LIMIT 100`,
    [defaultCutoff],
  );
  return r.rows.map((x) => ({ storeId: x.store_id, businessDate: x.business_date }));
}
