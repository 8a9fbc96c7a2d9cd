import type pg from 'pg';
import type { z } from 'zod';
import type { centralApi } from '@outpost/shared';
import { AppError, toIso, toNumber } from '../platform/index.js';

type StoreStatus = z.infer<typeof centralApi.storeStatusSchema>;
type StoresQuery = z.infer<typeof centralApi.storesQuery>;
type FleetSummary = z.infer<typeof centralApi.fleetSummarySchema>;

// The fleet table at fleet size (issue 16): filtered, sorted and paged in PostgreSQL over one aggregate per store,
// so a page of 50 out of 3,000 stores and 6,000 devices is one statement plus one for the page's devices. Online
// is the cluster's presence, passed in as the set of connected device ids.

/**
 * Per-store aggregate every filter and sort reads; `rank` orders worst first: 0 error, 1 offline, 2 lagging,
 * 3 online, 4 no device enrolled yet (offline too, but nothing an operator has lost contact with).
 */
const AGGREGATE = `
  WITH agg AS (
    SELECT s.store_id, s.name, s.created_at, s.command_seq,
           count(d.device_id)::int AS devices,
           coalesce(bool_or(d.device_id = ANY($1::uuid[])), false) AS online,
           max(d.last_seen_at) AS last_seen,
           coalesce(sum(d.pending_up), 0)::bigint AS pending,
           coalesce(max(s.command_seq - d.applied_command_seq), 0)::bigint AS backlog,
           coalesce(bool_or(d.last_error IS NOT NULL), false) AS has_error,
           min(d.unsent_oldest_at) AS unsent_oldest
    FROM stores s LEFT JOIN devices d ON d.store_id = s.store_id AND d.revoked_at IS NULL
    GROUP BY s.store_id
  ), scored AS (
    SELECT agg.*, coalesce(a.n, 0)::int AS alerts,
           CASE WHEN agg.has_error OR coalesce(a.n, 0) > 0 THEN 0
                WHEN NOT agg.online AND agg.devices > 0 THEN 1
                WHEN agg.pending > 0 OR agg.backlog > 0 THEN 2
                WHEN agg.online THEN 3
                ELSE 4 END AS rank,
           CASE WHEN NOT agg.online AND agg.devices > 0 THEN agg.last_seen END AS offline_since
    FROM agg LEFT JOIN (SELECT store_id, count(*) AS n FROM alerts WHERE closed_at IS NULL GROUP BY store_id) a ON a.store_id = agg.store_id
  ), budgeted AS (
    -- Offline, everything sold since contact was lost is unsent too: at risk since the earlier of the two.
    SELECT scored.*, least(unsent_oldest, offline_since) AS at_risk_since FROM scored
  )`;

const STATUS_FILTER: Record<NonNullable<StoresQuery['status']>, string> = {
  online: 'online',
  offline: 'NOT online',
  lagging: '(pending > 0 OR backlog > 0)',
  error: '(has_error OR alerts > 0)',
};

/** Sort key per option: an expression and whether it runs descending; the store id breaks ties (and pages). */
const SORTS: Record<StoresQuery['sort'], { expr: string; desc: boolean; type: 'int' | 'text' | 'timestamptz' }> = {
  worst: { expr: 'rank', desc: false, type: 'int' },
  store: { expr: 'store_id', desc: false, type: 'text' },
  name: { expr: 'name', desc: false, type: 'text' },
  lastSeen: { expr: "coalesce(last_seen, 'epoch'::timestamptz)", desc: true, type: 'timestamptz' },
  pending: { expr: 'pending', desc: true, type: 'int' },
  // Longest at risk first; stores with nothing at risk last (a far-future stand-in keeps the keyset cursor simple).
  atRisk: { expr: "coalesce(at_risk_since, '9999-12-31T00:00:00Z'::timestamptz)", desc: false, type: 'timestamptz' },
};
const STATUS_WORD = ['error', 'offline', 'lagging', 'online', 'offline'] as const;

/** The cursor is the last row's sort value and store id, opaque to the client. */
function encodeCursor(value: string | number, storeId: string): string {
  return Buffer.from(JSON.stringify([value, storeId])).toString('base64url');
}
function decodeCursor(after: string): [string | number, string] {
  try {
    const v = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // falls through to the error below
  }
  throw new AppError(400, 'bad_cursor', 'after must be a cursor returned as next by this list');
}

interface AggRow {
  store_id: string;
  name: string;
  created_at: Date;
  command_seq: string;
  online: boolean;
  pending: string;
  alerts: number;
  rank: number;
  offline_since: Date | null;
  at_risk_since: Date | null;
  sort_value: string | number | Date | null;
}
interface DeviceRow {
  store_id: string;
  device_id: string;
  name: string;
  last_seen_at: Date | null;
  agent_version: string | null;
  stored_seq: string;
  applied_command_seq: string;
  pending_up: number | null;
  last_error: string | null;
  clock_skew_ms: string | null;
  revoked_at: Date | null;
  protocol_version: number | null;
  held_command_seq: string | null;
  held_command_type: string | null;
  held_command_version: number | null;
  held_since: Date | null;
  unsent_oldest_at: Date | null;
  unsent_sales: number | null;
  unsent_returns: number | null;
  unsent_counts: number | null;
  unsent_other: number | null;
}

export async function listStores(pool: pg.Pool, query: StoresQuery, online: ReadonlySet<string>): Promise<{ items: StoreStatus[]; next: string | null }> {
  const sort = SORTS[query.sort];
  const params: unknown[] = [[...online]];
  const where: string[] = [];
  if (query.q) {
    params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const p = `$${params.length}`;
    where.push(
      `(store_id ILIKE ${p} OR name ILIKE ${p} OR EXISTS (SELECT 1 FROM devices d WHERE d.store_id = budgeted.store_id AND (d.name ILIKE ${p} OR d.device_id::text ILIKE ${p})))`,
    );
  }
  if (query.status) where.push(STATUS_FILTER[query.status]);
  if (query.after) {
    const [value, storeId] = decodeCursor(query.after);
    params.push(value, storeId);
    const v = `$${params.length - 1}::${sort.type}`;
    const id = `$${params.length}`;
    // Keyset paging in the list's own order: the sort value, then the store id ascending.
    where.push(sort.desc ? `(${sort.expr} < ${v} OR (${sort.expr} = ${v} AND store_id > ${id}))` : `(${sort.expr}, store_id) > (${v}, ${id})`);
  }
  params.push(query.limit);
  const r = await pool.query<AggRow>(
    `${AGGREGATE}
     SELECT store_id, name, created_at, command_seq, online, pending, alerts, rank, offline_since, at_risk_since, ${sort.expr} AS sort_value
     FROM budgeted ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY ${sort.expr} ${sort.desc ? 'DESC' : 'ASC'}, store_id
     LIMIT $${params.length}`,
    params,
  );
  const ids = r.rows.map((row) => row.store_id);
  const devices = ids.length
    ? await pool.query<DeviceRow>(
        `SELECT store_id, device_id, name, last_seen_at, agent_version, stored_seq, applied_command_seq, pending_up, last_error, clock_skew_ms, revoked_at,
                protocol_version, held_command_seq, held_command_type, held_command_version, held_since,
                unsent_oldest_at, unsent_sales, unsent_returns, unsent_counts, unsent_other
         FROM devices WHERE store_id = ANY($1::text[]) ORDER BY store_id, created_at, device_id`,
        [ids],
      )
    : { rows: [] };
  const byStore = new Map<string, DeviceRow[]>();
  for (const d of devices.rows) {
    const list = byStore.get(d.store_id);
    if (list) list.push(d);
    else byStore.set(d.store_id, [d]);
  }
  const items = r.rows.map((row): StoreStatus => {
    const commandSeq = toNumber(row.command_seq);
    return {
      storeId: row.store_id,
      name: row.name,
      createdAt: row.created_at.toISOString(),
      online: row.online,
      commandSeq,
      status: STATUS_WORD[row.rank]!,
      pendingUp: toNumber(row.pending),
      alerts: row.alerts,
      offlineSince: toIso(row.offline_since),
      atRiskSince: toIso(row.at_risk_since),
      devices: (byStore.get(row.store_id) ?? []).map((d) => {
        const applied = toNumber(d.applied_command_seq);
        return {
          deviceId: d.device_id,
          name: d.name,
          online: online.has(d.device_id),
          lastSeenAt: toIso(d.last_seen_at),
          agentVersion: d.agent_version,
          ackedSeq: toNumber(d.stored_seq),
          appliedCommandSeq: applied,
          pendingCommands: Math.max(0, commandSeq - applied),
          pendingUp: d.pending_up,
          lastError: d.last_error,
          clockSkewMs: d.clock_skew_ms === null ? null : toNumber(d.clock_skew_ms),
          revokedAt: toIso(d.revoked_at),
          protocolVersion: d.protocol_version,
          heldCommand:
            d.held_command_seq === null
              ? null
              : { seq: toNumber(d.held_command_seq), type: d.held_command_type ?? '', schemaVersion: d.held_command_version ?? 0, since: toIso(d.held_since) },
          unsent:
            d.unsent_sales === null
              ? null
              : { oldestAt: toIso(d.unsent_oldest_at), sales: d.unsent_sales, returns: d.unsent_returns ?? 0, counts: d.unsent_counts ?? 0, other: d.unsent_other ?? 0 },
        };
      }),
    };
  });
  const last = r.rows.at(-1);
  const next = last && r.rows.length === query.limit ? encodeCursor(cursorValue(last.sort_value), last.store_id) : null;
  return { items, next };
}

function cursorValue(v: AggRow['sort_value']): string | number {
  if (v instanceof Date) return v.toISOString();
  if (v === null) return '';
  return typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : v;
}

/** The counts at the top of the console's fleet page. */
export async function fleetSummary(pool: pg.Pool, online: ReadonlySet<string>): Promise<FleetSummary> {
  const r = await pool.query<{ stores: number; online: number; offline: number; lagging: number; error: number; pending: string; backlog: string }>(
    `${AGGREGATE}
     SELECT count(*)::int AS stores, count(*) FILTER (WHERE online)::int AS online, count(*) FILTER (WHERE NOT online)::int AS offline,
            count(*) FILTER (WHERE pending > 0 OR backlog > 0)::int AS lagging, count(*) FILTER (WHERE has_error OR alerts > 0)::int AS error,
            coalesce(sum(pending), 0) AS pending, coalesce(sum(backlog), 0) AS backlog
     FROM budgeted`,
    [[...online]],
  );
  const a = await pool.query<{ severity: string; n: number }>(`SELECT severity, count(*)::int AS n FROM alerts WHERE closed_at IS NULL GROUP BY severity`);
  const v = await pool.query<{ agent_version: string | null; protocol_version: number | null; stores: number; devices: number; held: number }>(
    `SELECT agent_version, protocol_version, count(DISTINCT store_id)::int AS stores, count(*)::int AS devices,
            count(*) FILTER (WHERE held_command_seq IS NOT NULL)::int AS held
     FROM devices WHERE revoked_at IS NULL GROUP BY agent_version, protocol_version
     ORDER BY protocol_version DESC NULLS LAST, agent_version DESC NULLS LAST`,
  );
  const row = r.rows[0]!;
  return {
    stores: row.stores,
    online: row.online,
    offline: row.offline,
    lagging: row.lagging,
    error: row.error,
    pendingUp: toNumber(row.pending),
    commandsWaiting: toNumber(row.backlog),
    alerts: { critical: a.rows.find((x) => x.severity === 'critical')?.n ?? 0, warning: a.rows.find((x) => x.severity === 'warning')?.n ?? 0 },
    versions: v.rows.map((x) => ({ agentVersion: x.agent_version, protocolVersion: x.protocol_version, stores: x.stores, devices: x.devices })),
    commandsHeld: v.rows.reduce((n, x) => n + x.held, 0),
  };
}
