import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

/**
 * A stand-in for the retailer's order system on loopback: a real HTTP server that receives Outpost's reservation
 * webhook the way a careful receiver would: it checks the HMAC-SHA256 signature over the raw body with the shared
 * secret, and applies each Idempotency-Key once (a repeat is answered 200 and dropped).
 */
export interface ReceivedWebhook {
  key: string;
  body: { type: string; reservationId: string; status: string; idempotencyKey: string; [k: string]: unknown };
  signatureOk: boolean;
}

export interface OrderSystem {
  readonly url: string;
  readonly port: number;
  /** Every POST that arrived, duplicates included, in arrival order. */
  readonly received: ReceivedWebhook[];
  /** The bodies applied once each, by key. */
  readonly applied: Map<string, ReceivedWebhook['body']>;
  /** Answer 500 AFTER applying the first delivery of each key (a receiver that crashed before answering). */
  failFirstAnswer: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function orderSystem(port: number, secret: string): OrderSystem {
  let server: Server | null = null;
  const sockets = new Set<import('node:net').Socket>();
  const os: OrderSystem = {
    url: `http://127.0.0.1:${port}/outpost-webhook`,
    port,
    received: [],
    applied: new Map(),
    failFirstAnswer: false,
    async start() {
      server = createServer((req, res) => {
        void readBody(req).then((raw) => {
          const sig = String(req.headers['x-outpost-signature'] ?? '');
          const want = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
          const signatureOk = sig.length === want.length && timingSafeEqual(Buffer.from(sig), Buffer.from(want));
          const key = String(req.headers['idempotency-key'] ?? '');
          const body = JSON.parse(raw) as ReceivedWebhook['body'];
          os.received.push({ key, body, signatureOk });
          if (!signatureOk) {
            res.writeHead(401).end('bad signature');
            return;
          }
          const first = !os.applied.has(key);
          if (first) os.applied.set(key, body);
          res.writeHead(first && os.failFirstAnswer ? 500 : 200, { 'content-type': 'application/json' }).end('{}');
        });
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
  return os;
}
