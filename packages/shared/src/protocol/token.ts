import { z } from 'zod';
import { refusalSchema } from './refusal.js';

/**
 * Central → agent `token.rotate` (with ack, v2): the device's next token. The agent stores it durably, uses it for
 * every later handshake, and only then acks; central accepts both tokens until the ack (or a handshake made with
 * the new one) confirms it, and then drops the old one.
 */
export const tokenRotateSchema = z.object({
  token: z.string().min(16).max(256),
});
export type TokenRotate = z.infer<typeof tokenRotateSchema>;

/** The agent's ack: stored (ok), or a refusal (it could not store the token; it keeps the old one). */
export const tokenRotateAckSchema = z.union([z.object({ ok: z.literal(true) }), refusalSchema]);
export type TokenRotateAck = z.infer<typeof tokenRotateAckSchema>;
