import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A retailer's own ERP endpoint for `--erp webhook`, on loopback: a real HTTP server that checks the HMAC-SHA256
 * signature over the raw body, books each Idempotency-Key once (a repeat answers 200 {duplicate: true} and books
 * nothing), refuses documents it cannot book with 422 and its own message, and answers the look-up
 * `GET /erp/<postingId>`. It can be stopped and started again on the same port (the ERP down, then up).
 */
export interface ErpWebhookBody {
  type: string;
  postingId: string;
  storeId: string;
  correlationId: string;
  document: { kind: string; [k: string]: unknown };
}

export interface ErpReceiver {
  readonly url: string;
  readonly port: number;
  /** Every POST that arrived, duplicates and refusals included, in arrival order. */
  readonly received: { key: string; signatureOk: boolean; signature: string; raw: string; correlationHeader: string; body: ErpWebhookBody }[];
  /** Documents booked, once each, by idempotency key. */
  readonly booked: Map<string, ErpWebhookBody>;
  /** Refuse a document with this message (422), or accept it (null). */
  refuse: (body: ErpWebhookBody) => string | null;
  /** Book the first delivery of a key, then answer 500 as if it crashed before answering. */
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

export function erpReceiver(port: number, secret: string): ErpReceiver {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const r: ErpReceiver = {
    url: `http://127.0.0.1:${port}/erp`,
    port,
    received: [],
    booked: new Map(),
    refuse: () => null,
    failFirstAnswer: false,
    async start() {
      server = createServer((req, res) => {
        void readBody(req).then((raw) => {
          if (req.method === 'GET') {
            const id = decodeURIComponent((req.url ?? '').replace(/^\/erp\//, ''));
            const doc = r.booked.get(id);
            if (doc) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ref: `HOOK-${id}` }));
            else res.writeHead(404).end();
            return;
          }
          const sig = String(req.headers['x-outpost-signature'] ?? '');
          const want = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
          const signatureOk = sig.length === want.length && timingSafeEqual(Buffer.from(sig), Buffer.from(want));
          const key = String(req.headers['idempotency-key'] ?? '');
          const body = JSON.parse(raw) as ErpWebhookBody;
          r.received.push({ key, signatureOk, signature: sig, raw, correlationHeader: String(req.headers['x-correlation-id'] ?? ''), body });
          if (!signatureOk) {
            res.writeHead(401).end('bad signature');
            return;
          }
          if (r.booked.has(key)) {
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ref: `HOOK-${key}`, duplicate: true }));
            return;
          }
          const refusal = r.refuse(body);
          if (refusal) {
            res.writeHead(422, { 'content-type': 'text/plain' }).end(refusal);
            return;
          }
          r.booked.set(key, body);
          if (r.failFirstAnswer) {
            res.writeHead(500).end('crashed after booking');
            return;
          }
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ref: `HOOK-${key}` }));
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
  return r;
}
