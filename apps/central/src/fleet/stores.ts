import type pg from 'pg';
import { uuidv7 } from '@outpost/shared';
import { AppError, newDeviceToken, newEnrollmentCode, normaliseEnrollmentCode, notFound, REVOKED_CHANNEL, sha256Hex, withTransaction } from '../platform/index.js';

export const ENROLLMENT_CODE_TTL_DAYS = 7;

async function insertCode(q: pg.PoolClient | pg.Pool, storeId: string): Promise<string> {
  const code = newEnrollmentCode();
  await q.query(
    `INSERT INTO enrollment_codes (code_hash, store_id, expires_at) VALUES ($1, $2, now() + make_interval(days => $3))`,
    [sha256Hex(normaliseEnrollmentCode(code)), storeId, ENROLLMENT_CODE_TTL_DAYS],
  );
  return code;
}

/** A new store and its first one-time enrolment code (shown once, stored hashed). */
export async function createStore(pool: pg.Pool, storeId: string, name: string): Promise<{ storeId: string; enrollmentCode: string }> {
  return withTransaction(pool, async (tx) => {
    const r = await tx.query('INSERT INTO stores (store_id, name) VALUES ($1, $2) ON CONFLICT (store_id) DO NOTHING', [storeId, name]);
    if (r.rowCount === 0) throw new AppError(409, 'store_exists', `store ${storeId} already exists`, { storeId });
    return { storeId, enrollmentCode: await insertCode(tx, storeId) };
  });
}

/** Another code for an existing store: a second till, or a replacement PC. */
export async function issueEnrollmentCode(pool: pg.Pool, storeId: string): Promise<string> {
  return withTransaction(pool, async (tx) => {
    const r = await tx.query('SELECT 1 FROM stores WHERE store_id = $1', [storeId]);
    if (r.rowCount === 0) throw notFound(`store ${storeId}`, { storeId });
    return insertCode(tx, storeId);
  });
}

/**
 * Trade a code for a device token. The code is consumed by one conditional UPDATE, so of two concurrent uses
 * exactly one wins; the token exists only in this answer and as its hash.
 */
export async function enrollDevice(pool: pg.Pool, code: string, deviceName: string): Promise<{ storeId: string; deviceId: string; token: string }> {
  const deviceId = uuidv7();
  const token = newDeviceToken();
  return withTransaction(pool, async (tx) => {
    const used = await tx.query<{ store_id: string }>(
      `UPDATE enrollment_codes SET used_at = now(), used_by_device = $2
       WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING store_id`,
      [sha256Hex(normaliseEnrollmentCode(code)), deviceId],
    );
    const storeId = used.rows[0]?.store_id;
    if (!storeId) throw new AppError(401, 'invalid_enrollment_code', 'the enrolment code is unknown, expired or already used');
    await tx.query('INSERT INTO devices (device_id, store_id, name, token_hash) VALUES ($1, $2, $3, $4)', [
      deviceId,
      storeId,
      deviceName,
      sha256Hex(token),
    ]);
    return { storeId, deviceId, token };
  });
}

/** Revoke a device token (revoking twice keeps the first time) and tell every central node to drop its sockets. */
export async function revokeDevice(pool: pg.Pool, deviceId: string): Promise<{ deviceId: string; storeId: string; revokedAt: string }> {
  return withTransaction(pool, async (tx) => {
    const r = await tx.query<{ revoked_at: Date; store_id: string }>(
      'UPDATE devices SET revoked_at = COALESCE(revoked_at, now()) WHERE device_id = $1 RETURNING revoked_at, store_id',
      [deviceId],
    );
    const row = r.rows[0];
    if (!row) throw notFound(`device ${deviceId}`, { deviceId });
    await tx.query('SELECT pg_notify($1, $2)', [REVOKED_CHANNEL, deviceId]);
    return { deviceId, storeId: row.store_id, revokedAt: row.revoked_at.toISOString() };
  });
}
