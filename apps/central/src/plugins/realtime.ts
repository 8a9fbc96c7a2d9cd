import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import { AGENT_NAMESPACE, type SyncLimits } from '@outpost/shared';
import { COMMANDS_CHANNEL, REVOKED_CHANNEL } from '../channels.js';
import { socketBufferSize } from '../config.js';
import type { Faults } from '../faults.js';
import { attachAgentGateway } from '../realtime/gateway.js';
import { createNotificationListener } from '../realtime/notification-listener.js';
import { createPresence, type Presence } from '../realtime/presence.js';

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
}

/** socket.io on Fastify's own HTTP server, the `/agent` gateway, and the LISTEN connection that feeds it. */
export const realtimePlugin = fp<RealtimePluginOptions>(
  async (app, opts) => {
    const io = new Server(app.server, {
      maxHttpBufferSize: socketBufferSize(opts.limits),
      serveClient: false,
      // A dead link is noticed within ~45 s, so presence and the pusher do not wait on a ghost socket.
      pingInterval: 20_000,
      pingTimeout: 25_000,
    });
    const presence = createPresence();
    const gateway = attachAgentGateway(io.of(AGENT_NAMESPACE), {
      pool: app.db.pool,
      limits: opts.limits,
      faults: opts.faults,
      presence,
      centralVersion: opts.centralVersion,
      log: app.log.child({ component: 'gateway' }),
      commandAckTimeoutMs: opts.commandAckTimeoutMs ?? 15_000,
    });
    const listener = createNotificationListener({
      url: app.db.url,
      channels: [COMMANDS_CHANNEL, REVOKED_CHANNEL],
      onNotify: (channel, payload) => {
        if (channel === COMMANDS_CHANNEL) gateway.commandsAvailable(payload);
        else if (channel === REVOKED_CHANNEL) gateway.disconnectDevice(payload);
      },
      onReconnect: () => gateway.triggerAll(),
      log: app.log.child({ component: 'pg-listen' }),
    });
    await listener.start();

    app.decorate('realtime', { presence, disconnectDevice: (id: string) => gateway.disconnectDevice(id) });
    // Sockets go before the HTTP server closes (upgraded sockets would keep it waiting); the listener goes in
    // onClose, which runs before the db plugin's (reverse registration order), so the pool closes last.
    app.addHook('preClose', async () => {
      io.of(AGENT_NAMESPACE).disconnectSockets(true);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
    });
    app.addHook('onClose', async () => {
      await listener.close();
    });
  },
  { name: 'outpost-realtime', fastify: '5.x', dependencies: ['outpost-db'] },
);
