import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';

// What the tests' stand-ins for outside systems (the order system, an ERP webhook endpoint) share: a real HTTP
// server on a fixed loopback port that can go down (connections cut) and come back, and the receiver's side of
// Outpost's webhook signature, checked over the raw body as a careful receiver would.

export interface RestartableServer {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function restartableServer(port: number, handle: (req: IncomingMessage, raw: string, res: ServerResponse) => void): RestartableServer {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  return {
    async start() {
      server = createServer((req, res) => {
        void readBody(req).then((raw) => handle(req, raw, res));
      });
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async stop() {
      if (!server) return;
      const s = server;
      server = null;
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The signature header as the receiver checks it: HMAC-SHA256 of the raw body with the shared secret. */
export function signatureOk(secret: string, raw: string, header: string): boolean {
  const want = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  return header.length === want.length && timingSafeEqual(Buffer.from(header), Buffer.from(want));
}
