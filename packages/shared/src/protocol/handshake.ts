import { z } from 'zod';

/** socket.io `auth` payload of the connection to `/agent`. Central refuses unknown or revoked tokens. */
export const handshakeAuthSchema = z.object({
  token: z.string().min(16).max(256),
  /** The highest protocol version the agent speaks (the only one before v3). */
  protocolVersion: z.number().int().positive(),
  /** v3: the lowest version the agent speaks; central chooses the highest version in both ranges. Absent: just protocolVersion. */
  minProtocolVersion: z.number().int().positive().optional(),
});
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;

/** `connect_error` data when central refuses the handshake. */
export const handshakeRefusalSchema = z.object({
  code: z.enum(['unauthorized', 'revoked', 'protocol_unsupported', 'bad_request']),
  message: z.string(),
  /** v3, with protocol_unsupported: the versions central speaks, so the agent can retry with one of them. */
  minVersion: z.number().int().positive().optional(),
  maxVersion: z.number().int().positive().optional(),
});
export type HandshakeRefusal = z.infer<typeof handshakeRefusalSchema>;
