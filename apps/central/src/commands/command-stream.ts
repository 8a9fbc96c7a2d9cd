import { COMMAND_PAYLOADS, formatZodError, uuidv7, type CommandPayloadMap, type CommandType, type RawCommand } from '@outpost/shared';
import type { z } from 'zod';
import { COMMANDS_CHANNEL, type Queryable, toNumber, withTransaction } from '../platform/index.js';
import type pg from 'pg';

export class InvalidCommandError extends Error {}

/**
 * The stores that got new commands in one transaction, announced to every central node AFTER it commits.
 * Why not pg_notify inside the transaction: PostgreSQL serialises the commits of notifying transactions on one
 * database-wide lock held through the commit's disk flush, which capped grants across ALL stores at one fsync
 * each (about 140/s here, reservations benchmark). A notification lost to a crash between COMMIT and the notify
 * only delays delivery: every node's gateway also re-checks its connected stores periodically (realtime plugin).
 */
export class CommandNotices {
  private readonly stores = new Set<string>();

  add(storeId: string): void {
    this.stores.add(storeId);
  }

  /** After COMMIT. Never throws: the commands are committed; the periodic re-check delivers them anyway. */
  async send(q: Queryable, onError?: (err: unknown) => void): Promise<void> {
    if (this.stores.size === 0) return;
    const stores = [...this.stores];
    this.stores.clear();
    await q.query('SELECT pg_notify($1, s) FROM unnest($2::text[]) AS u(s)', [COMMANDS_CHANNEL, stores]).catch((err: unknown) => onError?.(err));
  }
}

/** A transaction that may append commands; their stores are notified once it has committed. */
export async function withCommands<T>(pool: pg.Pool, fn: (tx: pg.PoolClient, notices: CommandNotices) => Promise<T>): Promise<T> {
  const notices = new CommandNotices();
  const result = await withTransaction(pool, (tx) => fn(tx, notices));
  await notices.send(pool);
  return result;
}

/**
 * Append one command to a store's stream inside the caller's transaction (docs/protocol.md). The seq comes from
 * bumping stores.command_seq: the row lock serialises appenders, so the stream is gap-free, and a rollback
 * takes the seq back with everything else. The store is noted in `notices`, sent by the caller after COMMIT.
 */
export async function appendCommand<T extends CommandType>(
  tx: Queryable,
  notices: CommandNotices,
  storeId: string,
  type: T,
  payload: CommandPayloadMap[T],
  correlationId: string,
  /** Which payload version to write; 1 unless the caller writes a newer one (e.g. CURRENT_COMMAND_VERSION). */
  schemaVersion = 1,
): Promise<RawCommand> {
  const data = validCommandPayload(type, payload, schemaVersion);

  const bumped = await tx.query<{ command_seq: string }>(
    'UPDATE stores SET command_seq = command_seq + 1 WHERE store_id = $1 RETURNING command_seq',
    [storeId],
  );
  const row = bumped.rows[0];
  if (!row) throw new InvalidCommandError(`unknown store ${storeId}`);
  const seq = toNumber(row.command_seq);
  const commandId = uuidv7();
  const inserted = await tx.query<{ created_at: Date }>(
    `INSERT INTO commands (store_id, seq, command_id, type, schema_version, payload, correlation_id)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING created_at`,
    [storeId, seq, commandId, type, schemaVersion, JSON.stringify(data), correlationId],
  );
  notices.add(storeId);
  return {
    seq,
    commandId,
    storeId,
    type,
    schemaVersion,
    createdAt: inserted.rows[0]!.created_at.toISOString(),
    correlationId,
    payload: data,
  };
}

/** The payload as the command's schema of that version parses it; throws InvalidCommandError when it does not. */
export function validCommandPayload<T extends CommandType>(type: T, payload: CommandPayloadMap[T], schemaVersion: number): unknown {
  const schema = (COMMAND_PAYLOADS[type] as Record<number, z.ZodType>)[schemaVersion];
  if (!schema) throw new InvalidCommandError(`no schema for command ${type} v${schemaVersion}`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new InvalidCommandError(`invalid ${type} payload: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

interface CommandRow {
  store_id: string;
  seq: string;
  command_id: string;
  type: string;
  schema_version: number;
  payload: unknown;
  correlation_id: string;
  created_at: Date;
}

/** The store's commands after `afterSeq`, in seq order, as the wire shape. */
export async function pendingCommands(q: Queryable, storeId: string, afterSeq: number, limit: number): Promise<RawCommand[]> {
  return (await pendingCommandsOfMany(q, [{ storeId, afterSeq }], limit))[0]!;
}

/**
 * pendingCommands for many stores in one statement (the pushers of a whole fleet woken by one price change):
 * one list per ask, in the order asked, each at most `limit` long.
 */
export async function pendingCommandsOfMany(q: Queryable, asks: readonly { storeId: string; afterSeq: number }[], limit: number): Promise<RawCommand[][]> {
  const r = await q.query<CommandRow & { i: string }>(
    `SELECT u.i, c.store_id, c.seq, c.command_id, c.type, c.schema_version, c.payload, c.correlation_id, c.created_at
     FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(store_id, after_seq, i)
     CROSS JOIN LATERAL (
       SELECT * FROM commands c WHERE c.store_id = u.store_id AND c.seq > u.after_seq ORDER BY c.seq LIMIT $3
     ) c
     ORDER BY u.i, c.seq`,
    [asks.map((a) => a.storeId), asks.map((a) => a.afterSeq), limit],
  );
  const out = asks.map((): RawCommand[] => []);
  for (const c of r.rows) {
    out[Number(c.i) - 1]!.push({
      seq: toNumber(c.seq),
      commandId: c.command_id,
      storeId: c.store_id,
      type: c.type,
      schemaVersion: c.schema_version,
      createdAt: c.created_at.toISOString(),
      correlationId: c.correlation_id,
      payload: c.payload,
    });
  }
  return out;
}
