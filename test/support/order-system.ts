import { restartableServer, signatureOk } from './http-receiver.js';

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

export function orderSystem(port: number, secret: string): OrderSystem {
  const server = restartableServer(port, (req, raw, res) => {
    const sig = String(req.headers['x-outpost-signature'] ?? '');
    const ok = signatureOk(secret, raw, sig);
    const key = String(req.headers['idempotency-key'] ?? '');
    const body = JSON.parse(raw) as ReceivedWebhook['body'];
    os.received.push({ key, body, signatureOk: ok });
    if (!ok) {
      res.writeHead(401).end('bad signature');
      return;
    }
    const first = !os.applied.has(key);
    if (first) os.applied.set(key, body);
    res.writeHead(first && os.failFirstAnswer ? 500 : 200, { 'content-type': 'application/json' }).end('{}');
  });
  const os: OrderSystem = {
    url: `http://127.0.0.1:${port}/outpost-webhook`,
    port,
    received: [],
    applied: new Map(),
    failFirstAnswer: false,
    start: () => server.start(),
    stop: () => server.stop(),
  };
  return os;
}
