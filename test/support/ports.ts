import type { Server } from 'node:net';

// One copy of freePort: central's (its embedded PostgreSQL picks its port with it).
export { freePort } from '../../apps/central/src/platform/net.js';

/** Starts `server` on a port the OS picks on loopback and answers that port (the test proxies listen this way). */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('the server has no port');
  return addr.port;
}
