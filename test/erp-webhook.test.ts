import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { erpReceiver } from './support/erp-receiver.js';
import { freePort } from './support/ports.js';
import { enrollAgent, startAgent, startCentral } from './support/procs.js';
import { captureMany } from './support/capture.js';
import { waitFor } from './support/wait.js';

// `--erp webhook` end to end: the retailer's endpoint (a real HTTP server) is down while a real agent's sales
// arrive; central keeps them, retries with backoff and opens its circuit; once the endpoint is up everything is
// delivered, each signed (verified by the receiver) and booked once, duplicates filtered by Idempotency-Key.

interface Posting {
  id: string;
  kind: string;
  status: string;
  correlationId: string;
  lastError: string | null;
}
interface ErpStatus {
  connector: string;
  circuit: { state: string; lastError: string | null };
  postings: Record<string, number>;
}

const SECRET = 'erp-webhook-secret-0123';

describe('ERP posting through the webhook connector', () => {
  const { fx, dbUrl } = e2eContext();

  it('receiver down then up: nothing lost, every posting booked once, signatures valid, repeats filtered by key', async () => {
    const port = await freePort();
    const receiver = erpReceiver(port, SECRET);
    const central = await startCentral(fx, {
      databaseUrl: dbUrl(),
      env: {
        OUTPOST_ERP_WEBHOOK_URL: receiver.url,
        OUTPOST_ERP_WEBHOOK_SECRET: SECRET,
        OUTPOST_ERP: 'webhook',
        OUTPOST_ERP_RETRY_BASE_MS: '100',
        OUTPOST_ERP_RETRY_MAX_MS: '1000',
        OUTPOST_ERP_CIRCUIT_THRESHOLD: '3',
        OUTPOST_ERP_CIRCUIT_COOLDOWN_MS: '300',
        OUTPOST_ERP_CIRCUIT_MAX_COOLDOWN_MS: '1000',
      },
    });
    try {
      const dataDir = fx.tempDir('outpost-agent-');
      await enrollAgent(central, 'store-w', dataDir);
      const agent = await startAgent(fx, { dataDir });
      // 20 documents: sales, returns, counts and adjustments (adjustments are not ERP documents).
      await captureMany(agent, 20);
      await waitDrained(agent);

      const status = await waitFor(
        async () => {
          const s = (await central.api.get<ErpStatus>('/erp/status')).body;
          return s.circuit.state !== 'closed' && s.postings.retrying! >= 1 ? s : null;
        },
        { what: 'retries and an open circuit while the receiver is down' },
      );
      expect(status.connector).toBe('webhook');
      expect(status.circuit.lastError).toMatch(/not reachable/);
      expect(status.postings.posted).toBe(0);
      const waiting = (await central.api.get<{ items: Posting[] }>('/erp/postings?limit=1000')).body.items;
      expect(waiting).toHaveLength(18); // 14 sales, 2 returns, 2 counts
      expect(waiting.every((p) => p.status === 'pending' || p.status === 'retrying')).toBe(true);

      receiver.failFirstAnswer = true; // books, then answers 500: central sends again, the key filters the repeat
      await receiver.start();
      const posted = await waitFor(
        async () => {
          const items = (await central.api.get<{ items: Posting[] }>('/erp/postings?status=posted&limit=1000')).body.items;
          return items.length === 18 ? items : null;
        },
        { timeoutMs: 60_000, what: 'all 18 postings delivered after the receiver came back' },
      );
      expect(receiver.booked.size).toBe(18);
      expect([...receiver.booked.keys()].sort()).toEqual(posted.map((p) => p.id).sort());
      expect(receiver.received.length).toBeGreaterThanOrEqual(36); // each key sent at least twice, booked once
      expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
      // The receiver's own check: the signature is HMAC-SHA256 of the exact body with the shared secret.
      for (const r of receiver.received) expect(r.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`);
      expect(receiver.received[0]!.signature).not.toBe(`sha256=${createHmac('sha256', 'another-secret').update(receiver.received[0]!.raw).digest('hex')}`);
      for (const p of posted) expect(receiver.booked.get(p.id)).toMatchObject({ postingId: p.id, correlationId: p.correlationId, storeId: 'store-w' });
      expect((await central.api.get<ErpStatus>('/erp/status')).body.circuit.state).toBe('closed');

      // Replaying a delivered posting sends it again under the same key: the receiver books nothing new.
      const before = receiver.received.length;
      expect((await central.api.post(`/erp/postings/${posted[0]!.id}/replay`)).status).toBe(200);
      await waitFor(() => receiver.received.length > before, { what: 'the replay to reach the receiver' });
      await waitFor(async () => (await central.api.get<Posting>(`/erp/postings/${posted[0]!.id}`)).body.status === 'posted', { what: 'replay posted' });
      expect(receiver.booked.size).toBe(18);
      expect(receiver.received.at(-1)).toMatchObject({ key: posted[0]!.id, signatureOk: true });

      // Metrics show the outcomes.
      const metrics = await fetch(`${central.url}/metrics`, { headers: { authorization: `Bearer ${central.adminToken}` } }).then((r) => r.text());
      expect(metrics).toMatch(/outpost_erp_postings\{status="posted"\} 18/);
      expect(metrics).toMatch(/outpost_erp_postings_total\{connector="webhook",kind="sale",outcome="retry"\} \d+/);
    } finally {
      await receiver.stop();
    }
  });
});
