import { z } from 'zod';

/** socket.io `auth` payload of the connection to `/agent`. Central refuses unknown or revoked tokens. */
export const handshakeAuthSchema = z.object({
  token: z.string().min(16).max(256),
  protocolVersion: z.number().int().positive(),
});
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;

/** `connect_error` data when central refuses the handshake. */
export const handshakeRefusalSchema = z.object({
  code: z.enum(['unauthorized', 'revoked', 'protocol_unsupported', 'bad_request']),
  message: z.string(),
});
export type HandshakeRefusal = z.infer<typeof handshakeRefusalSchema>;
