import { restartableServer, signatureOk } from './http-receiver.js';

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

export function erpReceiver(port: number, secret: string): ErpReceiver {
  const server = restartableServer(port, (req, raw, res) => {
    if (req.method === 'GET') {
      const id = decodeURIComponent((req.url ?? '').replace(/^\/erp\//, ''));
      const doc = r.booked.get(id);
      if (doc) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ref: `HOOK-${id}` }));
      else res.writeHead(404).end();
      return;
    }
    const sig = String(req.headers['x-outpost-signature'] ?? '');
    const ok = signatureOk(secret, raw, sig);
    const key = String(req.headers['idempotency-key'] ?? '');
    const body = JSON.parse(raw) as ErpWebhookBody;
    r.received.push({ key, signatureOk: ok, signature: sig, raw, correlationHeader: String(req.headers['x-correlation-id'] ?? ''), body });
    if (!ok) {
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
  const r: ErpReceiver = {
    url: `http://127.0.0.1:${port}/erp`,
    port,
    received: [],
    booked: new Map(),
    refuse: () => null,
    failFirstAnswer: false,
    start: () => server.start(),
    stop: () => server.stop(),
  };
  return r;
}
