import type pg from 'pg';
import { AppError, newDeviceToken, notFound, ROTATE_CHANNEL, sha256Hex, withTransaction } from '../platform/index.js';

// Device token rotation, in three steps that each leave the device able to connect:
// 1. offer: a new token's hash goes to devices.next_token_hash; the handshake accepts either hash from now on.
// 2. the agent stores the new token durably, then acks `token.rotate`.
// 3. confirm (on that ack, or on a handshake made with the new token): the next hash becomes the token hash and
//    the old one is gone. A crash before 2 leaves the old token valid; one between 2 and 3 leaves the new one valid.

/** Ask for a rotation (operator): flagged, and every node hears it; the one holding the device's socket acts. */
export async function requestRotation(pool: pg.Pool, deviceId: string): Promise<{ deviceId: string; storeId: string; requestedAt: string }> {
  return withTransaction(pool, async (tx) => {
    const r = await tx.query<{ store_id: string; revoked_at: Date | null; rotate_requested_at: Date }>(
      'UPDATE devices SET rotate_requested_at = now() WHERE device_id = $1 RETURNING store_id, revoked_at, rotate_requested_at',
      [deviceId],
    );
    const row = r.rows[0];
    if (!row) throw notFound(`device ${deviceId}`, { deviceId });
    if (row.revoked_at) throw new AppError(409, 'conflict', `device ${deviceId} is revoked: enrol it again instead`, { deviceId });
    await tx.query('SELECT pg_notify($1, $2)', [ROTATE_CHANNEL, deviceId]);
    return { deviceId, storeId: row.store_id, requestedAt: row.rotate_requested_at.toISOString() };
  });
}

/**
 * Does this device's token need rotating: asked for, older than `maxAgeMs`, or offered earlier and never confirmed
 * (asked at a connection made with the current token, that means the agent never stored it: offer again).
 */
export async function rotationDue(pool: pg.Pool, deviceId: string, maxAgeMs: number): Promise<boolean> {
  const r = await pool.query<{ due: boolean }>(
    `SELECT (rotate_requested_at IS NOT NULL OR next_token_hash IS NOT NULL
             OR token_issued_at < now() - ($2::double precision * interval '1 millisecond')) AS due
     FROM devices WHERE device_id = $1 AND revoked_at IS NULL`,
    [deviceId, maxAgeMs],
  );
  return r.rows[0]?.due === true;
}

/**
 * Step 1: a new token, offered only while `currentHash` (the token the connection proved) is still the device's
 * token. A later offer replaces an unconfirmed earlier one: a connection made with the current token shows the
 * agent does not hold the earlier one (an agent switches to a stored token before it acks it). Null = not offered.
 */
export async function offerToken(pool: pg.Pool, deviceId: string, currentHash: string): Promise<{ token: string; hash: string } | null> {
  const token = newDeviceToken();
  const hash = sha256Hex(token);
  // The request is taken by this offer (an unconfirmed offer keeps the rotation due by itself); one made after it
  // stays set and is served next.
  const r = await pool.query('UPDATE devices SET next_token_hash = $3, rotate_requested_at = NULL WHERE device_id = $1 AND token_hash = $2 AND revoked_at IS NULL', [
    deviceId,
    currentHash,
    hash,
  ]);
  return r.rowCount === 1 ? { token, hash } : null;
}

/** Step 3: the next token becomes the token; the old hash is dropped and no handshake accepts it any more. */
export async function confirmToken(pool: pg.Pool, deviceId: string, nextHash: string): Promise<boolean> {
  const r = await pool.query(
    `UPDATE devices SET token_hash = next_token_hash, next_token_hash = NULL, token_issued_at = now()
     WHERE device_id = $1 AND next_token_hash = $2`,
    [deviceId, nextHash],
  );
  return r.rowCount === 1;
}
