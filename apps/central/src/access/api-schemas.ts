import { z } from 'zod';
import { roleSchema } from './roles.js';

// Wire shapes of the token and audit routes (central's admin API only; agents never see them).

export const createTokenBody = z.object({ name: z.string().trim().min(1).max(100), role: roleSchema }).strict();

export const tokenInfo = z.object({
  tokenId: z.string(),
  name: z.string(),
  role: roleSchema,
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
});

export const createTokenResponse = tokenInfo.extend({ token: z.string().describe('the secret: shown this once, stored only as its hash') });
export const tokensResponse = z.object({ tokens: z.array(tokenInfo) });
export const tokenParams = z.object({ tokenId: z.uuid() });

export const auditQuery = z.object({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  action: z.string().max(100).optional(),
  storeId: z.string().max(100).optional(),
});

export const auditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  tokenId: z.string(),
  tokenName: z.string(),
  role: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  storeId: z.string().nullable(),
  correlationId: z.string(),
  sourceAddress: z.string(),
  status: z.number().int(),
});

export const auditResponse = z.object({ entries: z.array(auditEntry), nextAfter: z.number().int().nullable() });

export const whoamiResponse = z.object({ tokenId: z.string(), name: z.string(), role: roleSchema });
