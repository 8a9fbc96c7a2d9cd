import { uuidv7, type CommandPayloadMap, type CommandType } from '@outpost/shared';
import { validCommandPayload, type CommandNotices } from './command-stream.js';
import type { Queryable } from '../platform/index.js';

/**
 * Append the same command to EVERY store's stream inside the caller's transaction (an item master or price
 * change). Set-based: three statements whatever the number of stores, where appending store by store cost two
 * round trips per store (4,000 for 2,000 stores, seconds before the first store heard of the change). The same
 * guarantees as appendCommand: each store's seq comes from bumping stores.command_seq under its row lock (taken
 * in store_id order, so concurrent broadcasts and single appends never deadlock), gap-free, rolled back with
 * the transaction; every store is noted in `notices`, sent by the caller after COMMIT. Answers the store count.
 */
export async function appendCommandToEveryStore<T extends CommandType>(
  tx: Queryable,
  notices: CommandNotices,
  type: T,
  payload: CommandPayloadMap[T],
  correlationId: string,
  schemaVersion = 1,
): Promise<number> {
  const body = JSON.stringify(validCommandPayload(type, payload, schemaVersion));
  const locked = await tx.query<{ store_id: string }>('SELECT store_id FROM stores ORDER BY store_id FOR UPDATE');
  if (locked.rows.length === 0) return 0;
  const bumped = await tx.query<{ store_id: string; command_seq: string }>(
    'UPDATE stores SET command_seq = command_seq + 1 WHERE store_id = ANY($1::text[]) RETURNING store_id, command_seq',
    [locked.rows.map((r) => r.store_id)],
  );
  await tx.query(
    `INSERT INTO commands (store_id, seq, command_id, type, schema_version, payload, correlation_id)
     SELECT s, q, c, $4, $5, $6::jsonb, $7 FROM unnest($1::text[], $2::bigint[], $3::uuid[]) AS u(s, q, c)`,
    [bumped.rows.map((r) => r.store_id), bumped.rows.map((r) => r.command_seq), bumped.rows.map(() => uuidv7()), type, schemaVersion, body, correlationId],
  );
  for (const r of bumped.rows) notices.add(r.store_id);
  return bumped.rows.length;
}
