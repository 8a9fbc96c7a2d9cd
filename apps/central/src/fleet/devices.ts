import type pg from 'pg';
import type { RawCommand } from '@outpost/shared';
import { sha256Hex, toNumber, withTransaction } from '../platform/index.js';
import { confirmToken } from './token-rotation.js';

// What the socket gateway reads and writes about a device. Token lookups go by hash: the token is never stored.

export interface DeviceIdentity {
  deviceId: string;
  storeId: string;
  revoked: boolean;
  /** sha256 of the token the connection proved (after promotion: the device's token). */
  tokenHash: string;
}

/**
 * The device a handshake token belongs to: its token, or its rotated next token. A handshake made with the next
 * token confirms it (the agent stored it, and may have crashed before its ack): the old token stops working.
 */
export async function findDeviceByToken(pool: pg.Pool, token: string): Promise<DeviceIdentity | null> {
  const hash = sha256Hex(token);
  const r = await pool.query<{ device_id: string; store_id: string; revoked_at: Date | null; via_next: boolean }>(
    'SELECT device_id, store_id, revoked_at, next_token_hash = $1 AS via_next FROM devices WHERE token_hash = $1 OR next_token_hash = $1',
    [hash],
  );
  const row = r.rows[0];
  if (!row) return null;
  if (row.via_next && row.revoked_at === null) await confirmToken(pool, row.device_id, hash);
  return { deviceId: row.device_id, storeId: row.store_id, revoked: row.revoked_at !== null, tokenHash: hash };
}

/** Record what the agent said in hello; answers central's stored seq for the device and the command it holds back. */
export async function recordHello(
  pool: pg.Pool,
  deviceId: string,
  hello: { agentVersion: string; pendingUp: number; appliedCommandSeq: number },
  /** The protocol version the connection runs at (chosen at the handshake). */
  protocolVersion: number,
): Promise<{ storedSeq: number; heldSeq: number | null }> {
  const r = await pool.query<{ stored_seq: string; held_command_seq: string | null }>(
    `UPDATE devices SET agent_version = $2, pending_up = $3, last_seen_at = now(),
       applied_command_seq = GREATEST(applied_command_seq, $4), protocol_version = $5
     WHERE device_id = $1 RETURNING stored_seq, held_command_seq`,
    [deviceId, hello.agentVersion, hello.pendingUp, hello.appliedCommandSeq, protocolVersion],
  );
  const held = r.rows[0]?.held_command_seq ?? null;
  // The held command as recorded: the pusher writes it again only when what it holds back changes.
  return { storedSeq: toNumber(r.rows[0]?.stored_seq ?? 0), heldSeq: held === null ? null : toNumber(held) };
}

/**
 * The agent acked commands up to `appliedSeq`; never move backwards (acks may race across connections). The agent
 * says it again in every hello, so a crash that loses this commit loses nothing: it skips waiting for the disk
 * flush (one less fsync per command on the path every reservation takes). One statement for many devices: the
 * acks of a whole fleet after one price change.
 */
export async function recordAppliedCommandsOfMany(pool: pg.Pool, acks: readonly { deviceId: string; appliedSeq: number }[]): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await tx.query('SET LOCAL synchronous_commit TO OFF');
    await tx.query(
      `UPDATE devices d SET applied_command_seq = GREATEST(d.applied_command_seq, u.seq)
       FROM (SELECT device_id, max(seq) AS seq FROM unnest($1::uuid[], $2::bigint[]) AS a(device_id, seq) GROUP BY device_id) u
       WHERE d.device_id = u.device_id`,
      [acks.map((a) => a.deviceId), acks.map((a) => a.appliedSeq)],
    );
  });
}

/** The command a device's connection holds back because the agent cannot apply its version (null: none). */
export async function recordHeldCommand(pool: pg.Pool, deviceId: string, held: RawCommand | null): Promise<void> {
  await pool.query(
    `UPDATE devices SET held_command_seq = $2, held_command_type = $3, held_command_version = $4,
       held_since = CASE WHEN $2::bigint IS NULL THEN NULL WHEN held_command_seq IS DISTINCT FROM $2::bigint THEN now() ELSE held_since END
     WHERE device_id = $1`,
    [deviceId, held?.seq ?? null, held?.type ?? null, held?.schemaVersion ?? null],
  );
}
