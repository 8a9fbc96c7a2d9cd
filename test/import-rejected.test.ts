import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e2eContext } from './support/e2e.js';
import { restartableServer, signatureOk } from './support/http-receiver.js';
import { freePort } from './support/ports.js';
import { enrollAgent, startAgent, startCentral } from './support/procs.js';
import { waitFor } from './support/wait.js';

// A till file rejected at a store reaches head office (issue 16): the agent reports it over its connection (kept
// until acked, so a rejection made offline arrives after the link is back), central keeps file, line and reason,
// raises import_rejected with the reason, tells the alert webhook (signed), and an operator's "seen to" ends it.

const SECRET = 'alert-hook-secret-77';

interface Alert {
  alertId: string;
  kind: string;
  storeId?: string;
  detail: string;
}

describe('till file rejections at central', () => {
  const { fx, dbUrl } = e2eContext();

  it('a file rejected while offline is reported when the link is back, raises import_rejected, and clears', async () => {
    const hookPort = await freePort();
    const notices: { type: string; kind: string; detail: string; signed: boolean }[] = [];
    const hook = restartableServer(hookPort, (req, raw, res) => {
      const b = JSON.parse(raw) as { type: string; kind: string; detail: string };
      notices.push({ ...b, signed: signatureOk(SECRET, raw, String(req.headers['x-outpost-signature'] ?? '')) });
      res.writeHead(204).end();
    });
    await hook.start();
    const env = { OUTPOST_ALERT_EVALUATE_MS: '250', OUTPOST_ALERT_WEBHOOK_URL: `http://127.0.0.1:${hookPort}/`, OUTPOST_ALERT_WEBHOOK_SECRET: SECRET };
    try {
      let central = await startCentral(fx, { databaseUrl: dbUrl(), env });
      const dataDir = fx.tempDir('outpost-agent-');
      await enrollAgent(central, 'store-ir', dataDir);
      await central.proc.stop(); // the store is offline when the till writes a bad file
      const agent = await startAgent(fx, { dataDir });
      await waitFor(() => existsSync(join(dataDir, 'inbox')), { what: 'the inbox folder' });
      writeFileSync(join(dataDir, 'inbox', 'till-7.csv'), 'transactionId,sku,qty,unitPrice,tenderMethod,tenderAmount\nT-1,SKU-1,2,450,cash,900\nT-2,SKU-1,abc,450,cash,450\n');
      await waitFor(() => existsSync(join(dataDir, 'rejected', 'till-7.csv.error.json')), { what: 'till-7.csv rejected at the store' });

      central = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port, env });
      const listed = await waitFor(
        async () => {
          const r = await central.api.get<{ items: { file: string; line: number | null; reason: string; clearedAt: string | null }[] }>('/stores/store-ir/import-rejections');
          return r.body.items.length > 0 ? r.body.items : null;
        },
        { what: 'the rejection reported to central' },
      );
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ file: 'till-7.csv', line: 3, clearedAt: null });
      expect(listed[0]!.reason).toMatch(/line 3.*qty/);

      const alert = await waitFor(async () => (await central.api.get<{ items: Alert[] }>('/alerts')).body.items.find((a) => a.kind === 'import_rejected'), {
        what: 'import_rejected alert',
      });
      expect(alert).toMatchObject({ storeId: 'store-ir' });
      expect(alert.detail).toContain('till-7.csv line 3');
      expect(alert.detail).toMatch(/qty/);

      // Reported once, however often the agent reconnects.
      await agent.proc.kill9();
      const again = await startAgent(fx, { dataDir });
      await waitFor(async () => (await again.api.get<{ online: boolean }>('/status')).body.online, { what: 'agent back online' });
      expect((await central.api.get<{ items: unknown[] }>('/stores/store-ir/import-rejections')).body.items).toHaveLength(1);

      // An operator saw to it: the alert closes.
      const cleared = await central.api.post<{ cleared: number }>('/stores/store-ir/import-rejections/clear');
      expect(cleared.body.cleared).toBe(1);
      expect((await central.api.get<{ items: Alert[] }>('/alerts')).body.items.some((a) => a.kind === 'import_rejected')).toBe(false);

      const got = await waitFor(() => {
        const mine = notices.filter((n) => n.kind === 'import_rejected');
        return mine.some((n) => n.type === 'alert.opened') && mine.some((n) => n.type === 'alert.closed') ? mine : null;
      }, { what: 'import_rejected opened and closed at the webhook' });
      expect(got.every((n) => n.signed)).toBe(true);
      expect(got.find((n) => n.type === 'alert.opened')!.detail).toContain('till-7.csv');
      await again.proc.stop();
    } finally {
      await hook.stop();
    }
  });
});
