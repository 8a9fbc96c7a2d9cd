/**
 * Central started as an operator would for Tryton: `outpost-central start … --erp tryton` with the
 * OUTPOST_TRYTON_* environment pointing at a fixture server and a mapping file, and an ERP worker paced for
 * tests (short polls and back-off; production defaults are seconds to minutes).
 */
import { join } from 'node:path';
import { client, request } from './http.js';
import { freePort } from './ports.js';
import { ADMIN_TOKEN, ROOT, type CentralHandle, type Fixture } from './procs.js';
import type { TrytonServer } from './tryton.js';
import { waitFor } from './wait.js';

export const FAST_ERP_WORKER = {
  OUTPOST_ERP_POLL_MS: '100',
  OUTPOST_ERP_RETRY_BASE_MS: '200',
  OUTPOST_ERP_RETRY_MAX_MS: '1000',
  OUTPOST_ERP_CIRCUIT_COOLDOWN_MS: '300',
  OUTPOST_ERP_CIRCUIT_MAX_COOLDOWN_MS: '1000',
};

export async function startCentralWithTryton(
  fx: Fixture,
  opts: { databaseUrl: string; tryton: TrytonServer; mappingFile: string; env?: Record<string, string> },
): Promise<CentralHandle> {
  const port = await freePort();
  const dataDir = fx.tempDir('outpost-central-');
  const proc = fx.spawn(
    'central',
    [join(ROOT, 'apps/central/bin/outpost-central.js'), 'start', '--port', String(port), '--data-dir', dataDir, '--database-url', opts.databaseUrl, '--erp', 'tryton'],
    {
      OUTPOST_ADMIN_TOKEN: ADMIN_TOKEN,
      OUTPOST_TRYTON_URL: opts.tryton.url,
      OUTPOST_TRYTON_DB: opts.tryton.database,
      OUTPOST_TRYTON_USER: opts.tryton.user,
      OUTPOST_TRYTON_PASSWORD: opts.tryton.password,
      OUTPOST_TRYTON_MAPPING: opts.mappingFile,
      ...FAST_ERP_WORKER,
      ...opts.env,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (!proc.alive) throw new Error(`central exited:\n${proc.tail()}`);
      return (await request('GET', `${url}/readyz`)).status === 200;
    },
    { timeoutMs: 60_000, what: 'central /readyz' },
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n--- central output ---\n${proc.tail()}`);
  });
  return { proc, url, port, adminToken: ADMIN_TOKEN, api: client(`${url}/api/v1`, ADMIN_TOKEN) };
}
