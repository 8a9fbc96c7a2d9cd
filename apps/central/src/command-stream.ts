import { COMMAND_PAYLOADS, formatZodError, uuidv7, type CommandPayloadMap, type CommandType, type RawCommand } from '@outpost/shared';
import type { z } from 'zod';
import { COMMANDS_CHANNEL } from './channels.js';
import { toNumber, type Queryable } from './db/database.js';

export class InvalidCommandError extends Error {}

/**
 * Append one command to a store's stream inside the caller's transaction (DESIGN §3). The seq comes from
 * bumping stores.command_seq: the row lock serialises appenders, so the stream is gap-free, and a rollback
 * takes the seq back with everything else. The notification is transactional too: sent only on COMMIT.
 */
export async function appendCommand<T extends CommandType>(
  tx: Queryable,
  storeId: string,
  type: T,
  payload: CommandPayloadMap[T],
  correlationId: string,
  /** Which payload version to write; 1 unless the caller writes a newer one (e.g. CURRENT_COMMAND_VERSION). */
  schemaVersion = 1,
): Promise<RawCommand> {
  const schema = (COMMAND_PAYLOADS[type] as Record<number, z.ZodType>)[schemaVersion];
  if (!schema) throw new InvalidCommandError(`no schema for command ${type} v${schemaVersion}`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new InvalidCommandError(`invalid ${type} payload: ${formatZodError(parsed.error)}`);

  const bumped = await tx.query<{ command_seq: string }>(
    'UPDATE stores SET command_seq = command_seq + 1 WHERE store_id = $1 RETURNING command_seq',
    [storeId],
  );
  const row = bumped.rows[0];
  if (!row) throw new InvalidCommandError(`unknown store ${storeId}`);
  const seq = toNumber(row.command_seq);
  const commandId = uuidv7();
  // Insert and notify in one round trip (the notification is still sent only on COMMIT).
  const inserted = await tx.query<{ created_at: Date }>(
    `WITH ins AS (
       INSERT INTO commands (store_id, seq, command_id, type, schema_version, payload, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING created_at)
     SELECT created_at, pg_notify($8, $1) FROM ins`,
    [storeId, seq, commandId, type, schemaVersion, JSON.stringify(parsed.data), correlationId, COMMANDS_CHANNEL],
  );
  return {
    seq,
    commandId,
    storeId,
    type,
    schemaVersion,
    createdAt: inserted.rows[0]!.created_at.toISOString(),
    correlationId,
    payload: parsed.data,
  };
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
  const r = await q.query<CommandRow>(
    `SELECT store_id, seq, command_id, type, schema_version, payload, correlation_id, created_at
     FROM commands WHERE store_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [storeId, afterSeq, limit],
  );
  return r.rows.map((c) => ({
    seq: toNumber(c.seq),
    commandId: c.command_id,
    storeId: c.store_id,
    type: c.type,
    schemaVersion: c.schema_version,
    createdAt: c.created_at.toISOString(),
    correlationId: c.correlation_id,
    payload: c.payload,
  }));
}
