import { io, type Socket } from 'socket.io-client';
import { AGENT_NAMESPACE, PROTOCOL_VERSION, type SyncLimits, type VersionRange } from '@outpost/shared';
import { createTestDatabase } from './pg.js';
import { client } from './http.js';
import type { RateLimitSettings } from '../../apps/central/src/access/limits.js';
import type { ReservationSettings } from '../../apps/central/src/reservations/settings.js';
import { startCentral, type RunningCentral } from '../../apps/central/src/server.js';

export const TEST_ADMIN_TOKEN = 'central-test-admin-token-0123456789';
export const DEFAULT_TEST_LIMITS: SyncLimits = { maxBatchEvents: 1000, maxBatchBytes: 1_048_576, maxInFlight: 4 };

export interface TestCentral {
  central: RunningCentral;
  url: string;
  dbUrl: string;
  /** Admin API client (bearer token set). */
  api: ReturnType<typeof client>;
  close(): Promise<void>;
}

/** A real central on a free port over a fresh database of the shared test PostgreSQL. */
export async function startTestCentral(
  opts: {
    limits?: Partial<SyncLimits>;
    commandAckTimeoutMs?: number;
    /** Join another central's database (a second node). */
    shareWith?: TestCentral;
    reservations?: ReservationSettings;
    commandRecheckMs?: number;
    /** Default: limits no test reaches (tests of the limits set their own). */
    rateLimits?: RateLimitSettings;
    tokenMaxAgeMs?: number;
    agentAdmission?: { concurrency: number; maxWaitingHellos: number };
    /** Answer as a central of an older protocol would (upgrade-ring tests). */
    protocolRange?: VersionRange;
  } = {},
): Promise<TestCentral> {
  const database = opts.shareWith ? { url: opts.shareWith.dbUrl, drop: async () => {} } : await createTestDatabase();
  let central: RunningCentral;
  try {
    central = await startCentral({
      port: 0,
      databaseUrl: database.url,
      adminToken: TEST_ADMIN_TOKEN,
      rateLimits: opts.rateLimits ?? { windowMs: 60_000, enrollPerAddress: 1_000_000, authFailuresPerAddress: 1_000_000, requestsPerToken: 1_000_000 },
      limits: { ...DEFAULT_TEST_LIMITS, ...opts.limits },
      logger: false,
      ...(opts.commandAckTimeoutMs === undefined ? {} : { commandAckTimeoutMs: opts.commandAckTimeoutMs }),
      ...(opts.reservations === undefined ? {} : { reservations: opts.reservations }),
      ...(opts.commandRecheckMs === undefined ? {} : { commandRecheckMs: opts.commandRecheckMs }),
      ...(opts.tokenMaxAgeMs === undefined ? {} : { tokenMaxAgeMs: opts.tokenMaxAgeMs }),
      ...(opts.agentAdmission === undefined ? {} : { agentAdmission: opts.agentAdmission }),
      ...(opts.protocolRange === undefined ? {} : { protocolRange: opts.protocolRange }),
    });
  } catch (err) {
    await database.drop();
    throw err;
  }
  return {
    central,
    url: central.url,
    dbUrl: database.url,
    api: client(`${central.url}/api/v1`, TEST_ADMIN_TOKEN),
    async close() {
      try {
        await central.close();
      } finally {
        await database.drop();
      }
    },
  };
}

/** Create a store (if asked) and enrol one device through the real HTTP API. */
export async function enrol(tc: TestCentral, storeId: string, opts: { createStore?: boolean } = {}): Promise<{ storeId: string; deviceId: string; token: string }> {
  const created =
    opts.createStore === false
      ? await tc.api.post<{ enrollmentCode: string }>(`/stores/${storeId}/enrollment-codes`)
      : await tc.api.post<{ enrollmentCode: string }>('/stores', { storeId, name: `Store ${storeId}` });
  if (created.status !== 201) throw new Error(`enrolment code: ${created.status} ${JSON.stringify(created.body)}`);
  const r = await client(`${tc.url}/api/v1`).post<{ storeId: string; deviceId: string; token: string }>('/enroll', {
    code: created.body.enrollmentCode,
    deviceName: `till-${storeId}`,
  });
  if (r.status !== 200) throw new Error(`enroll: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A bare socket.io connection to /agent (for handshake tests that never get as far as RawAgent's helpers). */
export function agentSocket(url: string, auth: unknown): Socket {
  return io(url + AGENT_NAMESPACE, { auth: auth as Record<string, unknown>, transports: ['websocket'], reconnection: false, forceNew: true });
}

export const protocolVersion = PROTOCOL_VERSION;
