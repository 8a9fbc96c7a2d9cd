import { z } from 'zod';

/** Command type → the schema versions an agent can apply. Bounded: a hello is small. */
export const commandVersionsSchema = z
  .record(z.string().min(1).max(64), z.array(z.number().int().positive()).min(1).max(32))
  .refine((m) => Object.keys(m).length <= 256, 'at most 256 command types');
export type CommandVersions = z.infer<typeof commandVersionsSchema>;

/** Agent → central `hello` (with ack). Each side resumes from what the OTHER side says it holds. */
export const agentHelloSchema = z.object({
  protocolVersion: z.number().int().positive(),
  agentVersion: z.string().min(1).max(64),
  storeId: z.string().min(1).max(128),
  deviceId: z.uuid(),
  /** Highest seq the agent has captured (0 if none). */
  highestSeq: z.number().int().nonnegative(),
  /** Captured events central has not acked yet, as the agent counts them. */
  pendingUp: z.number().int().nonnegative(),
  /** Highest downstream command seq the agent has applied; central resumes pushing after it. */
  appliedCommandSeq: z.number().int().nonnegative(),
  /**
   * v3: per command type, the schema versions this agent can apply. Central sends a command of any other version
   * (or an unknown type) to no one on this connection: the store's stream waits there until the agent is upgraded.
   * Absent (v1, v2 agents): the versions those releases knew (COMMAND_VERSIONS_BEFORE_V3).
   */
  commandVersions: commandVersionsSchema.optional(),
  /**
   * v3: this till holds no store picture yet (a new or replacement PC, or a re-seeded one): central sends `seed`
   * (the item master, stock and open picks at a command seq) before the command stream. Absent: no seed.
   */
  seed: z.boolean().optional(),
});
export type AgentHello = z.infer<typeof agentHelloSchema>;

export const syncLimitsSchema = z.object({
  maxBatchEvents: z.number().int().positive(),
  maxBatchBytes: z.number().int().positive(),
  maxInFlight: z.number().int().positive(),
});
export type SyncLimits = z.infer<typeof syncLimitsSchema>;

/** Central → agent, as the ack of `hello`. */
export const centralHelloSchema = z.object({
  ok: z.literal(true),
  /** The version this connection runs at (v3: chosen at the handshake; before v3 central named its own). */
  protocolVersion: z.number().int().positive(),
  centralVersion: z.string(),
  /** Highest upstream seq central has stored (or quarantined) for this device; the agent sends from the next. */
  storedSeq: z.number().int().nonnegative(),
  limits: syncLimitsSchema,
  /** Central's wall clock (ms), so the agent can report skew. */
  serverTime: z.number().int(),
});
export type CentralHello = z.infer<typeof centralHelloSchema>;
