import type pg from 'pg';
import type { z } from 'zod';
import type { centralApi } from '@outpost/shared';
import { toIso, toNumber } from '../db/database.js';

type StoreStatus = z.infer<typeof centralApi.storeStatusSchema>;

interface Row {
  store_id: string;
  store_name: string;
  store_created_at: Date;
  command_seq: string;
  device_id: string | null;
  device_name: string | null;
  last_seen_at: Date | null;
  agent_version: string | null;
  stored_seq: string | null;
  applied_command_seq: string | null;
  pending_up: number | null;
  last_error: string | null;
  clock_skew_ms: string | null;
  revoked_at: Date | null;
}

/**
 * Fleet status per store and device (GET /stores), paged by storeId. `isOnline` says whether a device has a live
 * socket on any central node.
 */
export async function listStores(
  pool: pg.Pool,
  page: { after?: string | undefined; limit: number },
  isOnline: (deviceId: string) => boolean | Promise<boolean>,
): Promise<{ items: StoreStatus[]; next: string | null }> {
  const r = await pool.query<Row>(
    `WITH page AS (
       SELECT * FROM stores WHERE ($1::text IS NULL OR store_id > $1) ORDER BY store_id LIMIT $2
     )
     SELECT p.store_id, p.name AS store_name, p.created_at AS store_created_at, p.command_seq,
            d.device_id, d.name AS device_name, d.last_seen_at, d.agent_version, d.stored_seq,
            d.applied_command_seq, d.pending_up, d.last_error, d.clock_skew_ms, d.revoked_at
     FROM page p LEFT JOIN devices d ON d.store_id = p.store_id
     ORDER BY p.store_id, d.created_at, d.device_id`,
    [page.after ?? null, page.limit],
  );
  const items: StoreStatus[] = [];
  for (const row of r.rows) {
    let store = items.at(-1);
    if (!store || store.storeId !== row.store_id) {
      store = {
        storeId: row.store_id,
        name: row.store_name,
        createdAt: row.store_created_at.toISOString(),
        online: false,
        commandSeq: toNumber(row.command_seq),
        devices: [],
      };
      items.push(store);
    }
    if (row.device_id === null) continue;
    const applied = toNumber(row.applied_command_seq);
    const online = await isOnline(row.device_id);
    store.online ||= online;
    store.devices.push({
      deviceId: row.device_id,
      name: row.device_name ?? '',
      online,
      lastSeenAt: toIso(row.last_seen_at),
      agentVersion: row.agent_version,
      ackedSeq: toNumber(row.stored_seq),
      appliedCommandSeq: applied,
      pendingCommands: Math.max(0, store.commandSeq - applied),
      pendingUp: row.pending_up,
      lastError: row.last_error,
      clockSkewMs: row.clock_skew_ms === null ? null : toNumber(row.clock_skew_ms),
      revokedAt: toIso(row.revoked_at),
    });
  }
  const next = items.length === page.limit ? items.at(-1)!.storeId : null;
  return { items, next };
}
