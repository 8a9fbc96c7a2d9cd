import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/postgres-adapter';
import { AGENT_NAMESPACE, type SyncLimits, type VersionRange } from '@outpost/shared';
import { COMMANDS_CHANNEL, createNotificationListener, type Faults, REVOKED_CHANNEL, ROTATE_CHANNEL } from '../platform/index.js';
import type { ReservationSettings } from '../reservations/index.js';
import type { IngestObserver } from './ingest.js';
import { createAdapterPool } from './adapter-pool.js';
import { attachAgentGateway } from './gateway.js';
import { socketBufferSize } from './batch-rules.js';
import { createPresence, type Presence } from '../fleet/index.js';

/** Server-side event one node sends every other node: "which devices do you hold a socket for?" */
const PRESENCE_QUERY = 'outpost:presence';

export interface Realtime {
  presence: Presence;
  /** Drop the device's live sockets on this node now. */
  disconnectDevice(deviceId: string): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    realtime: Realtime;
  }
}

export interface RealtimePluginOptions {
  limits: SyncLimits;
  faults: Faults;
  centralVersion: string;
  commandAckTimeoutMs?: number;
  reservations: ReservationSettings;
  /** Watches ingest (metrics, logs). */
  ingestObserver?: IngestObserver;
  /** How often every connected store's pusher re-checks for commands without a notice (default 15 s). */
  commandRecheckMs?: number;
  /** A device token older than this is rotated at the device's hello (default 90 days). */
  tokenMaxAgeMs?: number;
  /** Connection set-up work run at once, and hellos that wait before central answers "busy, retry after" (default 8, 200). */
  agentAdmission?: { concurrency: number; maxWaitingHellos: number };
  /** The protocol versions the gateway speaks (default: all this build speaks). */
  protocolRange?: VersionRange;
}

/** socket.io on Fastify's own HTTP server, the `/agent` gateway, and the LISTEN connection that feeds it. */
export const realtimePlugin = fp<RealtimePluginOptions>(
  async (app, opts) => {
    // Several central nodes share one PostgreSQL (docs/adr/0004-socketio-postgres-adapter.md): socket.io's PostgreSQL adapter carries rooms,
    // broadcasts, disconnects and server-side events between them over NOTIFY (large ones via the
    // socket_io_attachments table of migration 0001). Its own small pool: the adapter pins one connection for
    // LISTEN for the node's lifetime, which must not come out of the pool ingest relies on.
    // Every client of it has an error listener (a connection dropped under the adapter must not end the process).
    const adapterLog = app.log.child({ component: 'io-adapter' });
    const adapterPool = createAdapterPool(app.db.url, (err) => adapterLog.warn({ err }, 'socket.io adapter connection lost'));
    const io = new Server(app.server, {
      adapter: createAdapter(adapterPool.pool, { errorHandler: (err) => adapterLog.warn({ err }, 'socket.io adapter error') }),
      maxHttpBufferSize: socketBufferSize(opts.limits),
      serveClient: false,
      // A dead link is noticed within ~45 s, so presence and the pusher do not wait on a ghost socket.
      pingInterval: 20_000,
      pingTimeout: 25_000,
    });
    const agents = io.of(AGENT_NAMESPACE);
    const presence = createPresence({
      // Asked per fleet page, answered by each node from its own sockets: device ids only, not whole sockets.
      peers: async () => (await agents.serverSideEmitWithAck(PRESENCE_QUERY)).map(deviceIdList),
      onPeerError: (err) => adapterLog.warn({ err }, 'a central node did not answer the presence query; showing this node only'),
    });
    agents.on(PRESENCE_QUERY, (ack: unknown) => {
      if (typeof ack === 'function') (ack as (ids: string[]) => void)(presence.localDevices());
    });
    const gateway = attachAgentGateway(agents, {
      pool: app.db.pool,
      limits: opts.limits,
      faults: opts.faults,
      presence,
      centralVersion: opts.centralVersion,
      log: app.log.child({ component: 'gateway' }),
      ...(app.hasDecorator('authFailures') ? { handshakeFailures: app.authFailures } : {}),
      commandAckTimeoutMs: opts.commandAckTimeoutMs ?? 15_000,
      tokenMaxAgeMs: opts.tokenMaxAgeMs ?? 90 * 86_400_000,
      ...(opts.protocolRange ? { protocolRange: opts.protocolRange } : {}),
      reservations: opts.reservations,
      ...(opts.agentAdmission ? { admission: opts.agentAdmission } : {}),
      ...(opts.ingestObserver ? { observer: opts.ingestObserver } : {}),
    });
    const listener = createNotificationListener({
      url: app.db.url,
      channels: [COMMANDS_CHANNEL, REVOKED_CHANNEL, ROTATE_CHANNEL],
      onNotify: (channel, payload) => {
        if (channel === COMMANDS_CHANNEL) gateway.commandsAvailable(payload);
        else if (channel === REVOKED_CHANNEL) gateway.disconnectDevice(payload);
        else if (channel === ROTATE_CHANNEL) gateway.rotateDevice(payload);
      },
      onReconnect: () => void gateway.recheck().catch((err: unknown) => app.log.warn({ err }, 'command re-check failed')),
      log: app.log.child({ component: 'pg-listen' }),
    });
    await listener.start();
    // Command notices go out after COMMIT (CommandNotices): one lost to a crash in between, or to a dropped LISTEN
    // connection, is made good here: one query for every connected store, and only the pushers behind are woken.
    const recheck = setInterval(() => void gateway.recheck().catch((err: unknown) => app.log.warn({ err }, 'command re-check failed')), opts.commandRecheckMs ?? 15_000);
    recheck.unref();

    app.decorate('realtime', { presence, disconnectDevice: (id: string) => gateway.disconnectDevice(id) });
    // Sockets go before the HTTP server closes (upgraded sockets would keep it waiting); the listener goes in
    // onClose, which runs before the db plugin's (reverse registration order), so the pool closes last.
    app.addHook('preClose', async () => {
      // This node's sockets only: a plain disconnectSockets would now reach through the adapter to every node.
      agents.local.disconnectSockets(true);
      // close() resolves once it has asked the HTTP server to close; its callback runs when that has closed.
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
      });
    });
    app.addHook('onClose', async () => {
      clearInterval(recheck);
      await gateway.flushed(); // the last-seen of the sockets just closed, while the pool is still open
      await listener.close();
      // pg's end() waits for every checked-out client. When the database went away, the adapter may be between
      // reconnect attempts and hold a half-acquired LISTEN client it never releases: bound the wait, then let the
      // process exit take the socket with it.
      const ended = adapterPool.end().then(() => true);
      const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000).unref());
      if (!(await Promise.race([ended, timedOut]))) app.log.warn('socket.io adapter pool did not close in 3 s; leaving it');
    });
  },
  { name: 'outpost-realtime', fastify: '5.x', dependencies: ['outpost-db'] },
);

function deviceIdList(answer: unknown): string[] {
  return Array.isArray(answer) ? answer.filter((x): x is string => typeof x === 'string') : [];
}
