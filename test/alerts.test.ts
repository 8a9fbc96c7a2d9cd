import { statfsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { erpReceiver } from './support/erp-receiver.js';
import { restartableServer, signatureOk } from './support/http-receiver.js';
import { freePort } from './support/ports.js';
import { enrollAgent, startAgent, startCentral, type CentralHandle } from './support/procs.js';
import { captureMany } from './support/capture.js';
import { waitFor } from './support/wait.js';

// Fleet alerts end to end (issue 16): a real agent killed with -9 raises store_offline and clears it when it is
// back; the ERP endpoint down raises the fleet-wide erp_circuit_open; each open and close reaches the operator's
// webhook receiver, signed.

interface Alert {
  alertId: string;
  kind: string;
  storeId?: string;
  since: string;
  severity: string;
  detail: string;
  closedAt?: string;
}
interface Notice {
  type: 'alert.opened' | 'alert.closed';
  alertId: string;
  kind: string;
  storeId: string | null;
}

const ALERT_SECRET = 'alert-webhook-secret-42';
const ERP_SECRET = 'erp-secret-0123456789';

async function alerts(central: CentralHandle, state: 'open' | 'closed' = 'open'): Promise<Alert[]> {
  const r = await central.api.get<{ items: Alert[] }>(`/alerts?state=${state}`);
  expect(r.status).toBe(200);
  return r.body.items;
}

describe('fleet alerts', () => {
  const { fx, dbUrl } = e2eContext();

  it('disk_low: an agent reports its free disk and central raises the alert below the threshold', async () => {
    // A threshold above any real disk (100 TiB), so the agent's real free space is "low"; the default is 1 GiB.
    const central = await startCentral(fx, { databaseUrl: dbUrl(), env: { OUTPOST_ALERT_DISK_LOW_MIB: String(100 * 1024 * 1024), OUTPOST_ALERT_EVALUATE_MS: '250' } });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-dk', dataDir);
    const agent = await startAgent(fx, { dataDir });
    const free = statfsSync(dataDir);
    const alert = await waitFor(async () => (await alerts(central)).find((a) => a.kind === 'disk_low' && a.storeId === 'store-dk'), { what: 'disk_low alert' });
    expect(alert.severity).toBe('critical');
    const reportedMiB = Number(/has (\d+) MiB free/.exec(alert.detail)?.[1]);
    const actualMiB = (Number(free.bavail) * Number(free.bsize)) / 1048576;
    // The same disk, read a moment apart: within 1% (other processes write to it meanwhile).
    expect(Math.abs(reportedMiB - actualMiB)).toBeLessThan(actualMiB * 0.01 + 1);
    await agent.proc.stop();
  });

  it('store_offline after kill -9 and back; erp_circuit_open while the ERP is down; each reaches the webhook, signed', async () => {
    const notices: { notice: Notice; signed: boolean }[] = [];
    const hookPort = await freePort();
    const hook = restartableServer(hookPort, (req, raw, res) => {
      notices.push({ notice: JSON.parse(raw) as Notice, signed: signatureOk(ALERT_SECRET, raw, String(req.headers['x-outpost-signature'] ?? '')) });
      res.writeHead(204).end();
    });
    await hook.start();
    const erpPort = await freePort();
    const erp = erpReceiver(erpPort, ERP_SECRET); // not started: the ERP is down
    const central = await startCentral(fx, {
      databaseUrl: dbUrl(),
      env: {
        OUTPOST_ALERT_OFFLINE_SECONDS: '2',
        OUTPOST_ALERT_EVALUATE_MS: '250',
        OUTPOST_ALERT_WEBHOOK_URL: `http://127.0.0.1:${hookPort}/alerts`,
        OUTPOST_ALERT_WEBHOOK_SECRET: ALERT_SECRET,
        OUTPOST_ERP: 'webhook',
        OUTPOST_ERP_WEBHOOK_URL: erp.url,
        OUTPOST_ERP_WEBHOOK_SECRET: ERP_SECRET,
        OUTPOST_ERP_RETRY_BASE_MS: '100',
        OUTPOST_ERP_RETRY_MAX_MS: '500',
        OUTPOST_ERP_CIRCUIT_THRESHOLD: '3',
        OUTPOST_ERP_CIRCUIT_COOLDOWN_MS: '300',
        OUTPOST_ERP_CIRCUIT_MAX_COOLDOWN_MS: '600',
      },
    });
    try {
      const dataDir = fx.tempDir('outpost-agent-');
      await enrollAgent(central, 'store-al', dataDir);
      let agent = await startAgent(fx, { dataDir });
      await captureMany(agent, 6);
      await waitDrained(agent);

      // The ERP is down: one fleet-wide alert, critical, not one per store.
      const erpAlert = await waitFor(async () => (await alerts(central)).find((a) => a.kind === 'erp_circuit_open'), { what: 'erp_circuit_open alert' });
      expect(erpAlert).toMatchObject({ severity: 'critical' });
      expect(erpAlert.storeId).toBeUndefined();
      expect((await alerts(central)).some((a) => a.kind === 'store_offline')).toBe(false);

      // kill -9 of the store's only agent: store_offline opens once the threshold has passed, since the last contact.
      await agent.proc.kill9();
      const offline = await waitFor(async () => (await alerts(central)).find((a) => a.kind === 'store_offline' && a.storeId === 'store-al'), {
        what: 'store_offline alert',
      });
      expect(offline.severity).toBe('warning');
      expect(offline.detail).toMatch(/no device connected since/);

      // Back: the alert closes (kept as history with its close time).
      agent = await startAgent(fx, { dataDir });
      await waitFor(async () => !(await alerts(central)).some((a) => a.kind === 'store_offline'), { what: 'store_offline to close' });
      const closed = (await alerts(central, 'closed')).find((a) => a.alertId === offline.alertId);
      expect(closed?.closedAt).toBeDefined();
      expect(Date.parse(closed!.closedAt!)).toBeGreaterThan(Date.parse(offline.since));

      // The ERP comes back: postings go out and the ERP alert closes.
      await erp.start();
      await waitFor(async () => !(await alerts(central)).some((a) => a.kind === 'erp_circuit_open'), { what: 'erp_circuit_open to close', timeoutMs: 60_000 });
      expect(erp.booked.size).toBeGreaterThan(0);

      // Every open and close reached the webhook, signed, opens before closes.
      const want = [
        ['alert.opened', erpAlert.alertId],
        ['alert.opened', offline.alertId],
        ['alert.closed', offline.alertId],
        ['alert.closed', erpAlert.alertId],
      ];
      const got = await waitFor(
        () => {
          const seen = notices.map((n) => [n.notice.type, n.notice.alertId]);
          return want.every((w) => seen.some((s) => s[0] === w[0] && s[1] === w[1])) ? notices : null;
        },
        { what: 'four alert notices at the webhook' },
      );
      expect(got.every((n) => n.signed)).toBe(true);
      const order = got.map((n) => `${n.notice.type}:${n.notice.alertId}`);
      expect(order.indexOf(`alert.opened:${offline.alertId}`)).toBeLessThan(order.indexOf(`alert.closed:${offline.alertId}`));
      expect(order.indexOf(`alert.opened:${erpAlert.alertId}`)).toBeLessThan(order.indexOf(`alert.closed:${erpAlert.alertId}`));
      await agent.proc.stop();
    } finally {
      await hook.stop();
      await erp.stop();
    }
  });
});
