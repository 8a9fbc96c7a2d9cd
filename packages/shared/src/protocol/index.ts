export * from './version.js';
export * from './handshake.js';
export * from './hello.js';
export * from './refusal.js';
export * from './batch.js';
export * from './commands.js';
export * from './status.js';
export * from './import-report.js';
export * from './token.js';
export * from './seed.js';
export * from './negotiate.js';
export * from './upcast.js';

import { handshakeAuthSchema, handshakeRefusalSchema } from './handshake.js';
import { agentHelloSchema, centralHelloSchema } from './hello.js';
import { batchAckSchema, batchSchema } from './batch.js';
import { commandsAckSchema, commandsMessageSchema } from './commands.js';
import { agentStatusSchema } from './status.js';
import { importRejectedAckSchema, importRejectedSchema } from './import-report.js';
import { tokenRotateAckSchema, tokenRotateSchema } from './token.js';
import { seedAckSchema, seedSchema } from './seed.js';

/** Socket.io event names on `/agent`, and every wire shape; the shape test fingerprints this table. */
export const PROTOCOL_MESSAGES = {
  'handshake.auth': handshakeAuthSchema,
  'handshake.refusal': handshakeRefusalSchema,
  'hello': agentHelloSchema,
  'hello.ack': centralHelloSchema,
  'batch': batchSchema,
  'batch.ack': batchAckSchema,
  'commands': commandsMessageSchema,
  'commands.ack': commandsAckSchema,
  'status': agentStatusSchema,
  'import.rejected': importRejectedSchema,
  'import.rejected.ack': importRejectedAckSchema,
  'token.rotate': tokenRotateSchema,
  'token.rotate.ack': tokenRotateAckSchema,
  'seed': seedSchema,
  'seed.ack': seedAckSchema,
} as const;
