import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenOnLoopback } from './ports.js';

/**
 * A loopback TCP proxy whose target can be switched: what a load balancer does when a central node goes away
 * and the agent's next connection lands on another node. `switchTo` cuts every live connection (both sides),
 * so the agent sees a dropped link, not a clean close.
 */
export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  /** Connections accepted so far (a switch shows up as a new one). */
  readonly accepted: number;
  switchTo(targetPort: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  let accepted = 0;
  const live = new Set<Socket>();

  const server: Server = createServer((client) => {
    accepted++;
    const upstream = connect(target, '127.0.0.1');
    live.add(client);
    live.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  const port = await listenOnLoopback(server);

  const dropAll = () => {
    for (const s of live) s.destroy();
    live.clear();
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    switchTo(p) {
      target = p;
      dropAll();
    },
    async close() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
