import type { ServerResponse } from 'node:http';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { restartableServer, signatureOk } from './support/http-receiver.js';
import { freePort } from './support/ports.js';
import { enrollAgent, startAgent, startCentral } from './support/procs.js';
import { captureMany } from './support/capture.js';
import { waitFor } from './support/wait.js';

// Two central nodes share one PostgreSQL and post to one ERP webhook. Node A is killed -9 in the middle of an ERP
// call, holding the store's lease; node B must take the store over as soon as A's (short, heartbeat-renewed)
// lease runs out, not after the old fixed 120 s, and every posting must be booked exactly once.

const SECRET = 'erp-takeover-secret-0123';

/** The ERP endpoint: books each Idempotency-Key once; while `hold` is on it takes requests and never answers. */
function holdingErp(port: number) {
  const held: ServerResponse[] = [];
  const booked = new Map<string, true>();
  const posts: string[] = [];
  const state = { hold: true, duplicates: 0, badSignatures: 0 };
  const server = restartableServer(port, (req, raw, res) => {
    if (req.method === 'GET') {
      const id = decodeURIComponent((req.url ?? '').replace(/^\/erp\//, ''));
      if (booked.has(id)) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ref: `HOOK-${id}` }));
      else res.writeHead(404).end();
      return;
    }
    if (!signatureOk(SECRET, raw, String(req.headers['x-outpost-signature'] ?? ''))) {
      state.badSignatures++;
      res.writeHead(401).end('bad signature');
      return;
    }
    const key = String(req.headers['idempotency-key'] ?? '');
    posts.push(key);
    if (state.hold) {
      held.push(res); // the call is in flight at node A for as long as the test wants
      return;
    }
    if (booked.has(key)) {
      state.duplicates++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ref: `HOOK-${key}`, duplicate: true }));
      return;
    }
    booked.set(key, true);
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ref: `HOOK-${key}` }));
  });
  return { url: `http://127.0.0.1:${port}/erp`, held, booked, posts, state, start: () => server.start(), stop: () => server.stop() };
}

describe('ERP posting when a central node dies', () => {
  const { fx, dbUrl } = e2eContext();

  it("node A killed -9 inside an ERP call: node B takes its store over while A's old 120 s lease would still hold it, and books every posting once", async () => {
    const erp = holdingErp(await freePort());
    await erp.start();
    const db = new pg.Client({ connectionString: dbUrl() });
    try {
      const env = { OUTPOST_ERP: 'webhook', OUTPOST_ERP_WEBHOOK_URL: erp.url, OUTPOST_ERP_WEBHOOK_SECRET: SECRET, OUTPOST_ERP_RETRY_BASE_MS: '100' };
      const nodeA = await startCentral(fx, { databaseUrl: dbUrl(), env });
      const agentDir = fx.tempDir('outpost-agent-');
      await enrollAgent(nodeA, 'store-lease', agentDir);
      const agent = await startAgent(fx, { dataDir: agentDir });
      await captureMany(agent, 5); // five sales: five postings, in order
      await waitDrained(agent);
      await waitFor(() => erp.held.length === 1, { what: 'node A inside its ERP call' });

      await db.connect();
      const lease = await db.query<{ owner: string | null; held: boolean; left_ms: number }>(
        `SELECT owner, leased_until > now() AS held, extract(epoch FROM leased_until - now()) * 1000 AS left_ms FROM erp_store_leases WHERE store_id = 'store-lease'`,
      );
      expect(lease.rows[0]).toMatchObject({ held: true });
      expect(lease.rows[0]!.owner).toMatch(/^erp-/);
      // A short lease, kept alive by A's heartbeat while its call hangs (not one taken for 120 s up front).
      expect(Number(lease.rows[0]!.left_ms)).toBeLessThanOrEqual(15_000);
      await nodeA.proc.kill9();
      erp.state.hold = false;
      for (const res of erp.held) res.destroy();

      await startCentral(fx, { databaseUrl: dbUrl(), env });
      await waitFor(
        async () => {
          const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM erp_postings WHERE store_id = 'store-lease' AND status = 'posted'`);
          return Number(r.rows[0]!.n) === 5;
        },
        { timeoutMs: 200_000, what: 'node B to post the five postings' },
      );
      const postings = await db.query<{ posting_id: string; erp_ref: string; early: boolean }>(
        `SELECT posting_id, erp_ref, posted_at < created_at + interval '120 seconds' AS early FROM erp_postings WHERE store_id = 'store-lease' ORDER BY seq`,
      );
      // Exactly once: five postings, each booked under its own key, none sent again after it was booked.
      expect(postings.rows).toHaveLength(5);
      expect(postings.rows.every((p) => p.erp_ref === `HOOK-${p.posting_id}`)).toBe(true);
      expect(erp.state.duplicates).toBe(0);
      expect(erp.state.badSignatures).toBe(0);
      // In order: the postings were booked in the store's posting order.
      expect([...erp.booked.keys()]).toEqual(postings.rows.map((p) => p.posting_id));
      // The posting A held was taken over while a lease of the old fixed 120 s, taken when it was created at the
      // earliest, would still have kept the store with the dead node.
      expect(postings.rows.every((p) => p.early)).toBe(true);
    } finally {
      await db.end().catch(() => undefined);
      await erp.stop();
    }
  });
});
