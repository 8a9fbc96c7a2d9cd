import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { uuidv7 } from '@outpost/shared';
import { notFound, sha256Hex } from '../platform/index.js';
import type { Principal, Role } from './roles.js';

export interface ApiTokenInfo {
  tokenId: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

interface Row {
  token_id: string;
  name: string;
  role: Role;
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
}

const toInfo = (r: Row): ApiTokenInfo => ({
  tokenId: r.token_id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

/** A token secret: a recognisable prefix (secret scanners match it) and 32 random bytes. */
export function newApiTokenSecret(): string {
  return `opt_${randomBytes(32).toString('base64url')}`;
}

/** A new token; the secret is in this answer only, the table keeps its sha256. */
export async function createApiToken(pool: pg.Pool, name: string, role: Role, createdBy: string): Promise<ApiTokenInfo & { token: string }> {
  const token = newApiTokenSecret();
  const r = await pool.query<Row>(
    `INSERT INTO api_tokens (token_id, name, role, token_hash, created_by) VALUES ($1, $2, $3, $4, $5)
     RETURNING token_id, name, role, created_at, created_by, revoked_at`,
    [uuidv7(), name, role, sha256Hex(token), createdBy],
  );
  return { ...toInfo(r.rows[0]!), token };
}

export async function listApiTokens(pool: pg.Pool): Promise<ApiTokenInfo[]> {
  const r = await pool.query<Row>('SELECT token_id, name, role, created_at, created_by, revoked_at FROM api_tokens ORDER BY created_at, token_id');
  return r.rows.map(toInfo);
}

/** Revoke (revoking twice keeps the first time); the token is refused from the next request on. */
export async function revokeApiToken(pool: pg.Pool, tokenId: string): Promise<ApiTokenInfo> {
  const r = await pool.query<Row>(
    `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE token_id = $1
     RETURNING token_id, name, role, created_at, created_by, revoked_at`,
    [tokenId],
  );
  if (!r.rows[0]) throw notFound(`token ${tokenId}`, { tokenId });
  return toInfo(r.rows[0]);
}

/** The live token with this secret, looked up by hash. */
export async function findApiToken(pool: pg.Pool, secret: string): Promise<Principal | null> {
  const r = await pool.query<{ token_id: string; name: string; role: Role }>(
    'SELECT token_id, name, role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [sha256Hex(secret)],
  );
  const row = r.rows[0];
  return row ? { tokenId: row.token_id, name: row.name, role: row.role } : null;
}
