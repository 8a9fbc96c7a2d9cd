/**
 * The README's marked command blocks (`<!-- readme-test:NAME -->` before a ```sh fence), run as written against
 * real processes: set-up (central, store add, enrol, agent, status), the first sale and events after `npm start`
 * (run here against the set-up's processes; `npm start` itself is test/npm-start.test.ts), stock (receipt, count)
 * and the reservation example. Only what a test must change is changed: ports (free ones), the data folder (a temp one), `npx` (the
 * workspace's own bins, never the registry), and the values a person copies from one answer to the next (CODE,
 * $TOKEN, $ID). So a README command that stops working fails here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e2eContext } from './support/e2e.js';
import { freePort } from './support/ports.js';
import { ROOT } from './support/procs.js';
import { request } from './support/http.js';
import { waitFor } from './support/wait.js';

/** The commands of each marked block: continuation lines joined, comments and `[optional]` parts dropped. */
export function readmeBlocks(text: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  const re = /<!-- readme-test:([\w-]+) -->\s*```sh\n([\s\S]*?)```/g;
  for (const m of text.matchAll(re)) {
    const joined = m[2]!.replace(/\\\n\s*/g, '');
    const lines = joined
      .split('\n')
      .map((l) => l.replace(/\s+#\s.*$/, '').replace(/\s\[[^\]]*\]/g, '').trim())
      .filter((l) => l && !l.startsWith('#'));
    blocks.set(m[1]!, lines);
  }
  return blocks;
}

/** Split a command line like a shell would for the simple quoting the README uses. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

describe('README', () => {
  const { fx, dbUrl } = e2eContext();

  it('the set-up, run, stock and reservation commands work as written', async () => {
    const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect([...blocks.keys()]).toEqual(['run', 'setup', 'stock', 'reservation']);
    const work = fx.tempDir('outpost-readme-');
    const centralPort = await freePort();
    const agentPort = await freePort();
    const vars: Record<string, string> = {};
    const adapt = (line: string) =>
      line
        .replaceAll('127.0.0.1:8080', `127.0.0.1:${centralPort}`)
        .replaceAll('127.0.0.1:8090', `127.0.0.1:${agentPort}`)
        .replaceAll('--port 8080', `--port ${centralPort}`)
        .replaceAll('--port 8090', `--port ${agentPort}`)
        .replaceAll(' .data/', ` ${work}/.data/`)
        .replace(/--code CODE/, () => `--code ${vars.CODE ?? 'CODE'}`);
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: dbUrl(), PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, OUTPOST_RECONNECT_MIN_MS: '50', OUTPOST_RECONNECT_MAX_MS: '500' };
    delete env.OUTPOST_ADMIN_TOKEN;
    const sh = (line: string) => {
      // `npx x` runs the workspace's bin x (on PATH above): never a download.
      const r = spawnSync('bash', ['-c', `npx() { "$@"; }\n${line}`], { cwd: work, env: { ...env, ...vars }, encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const ran: string[] = [];

    for (const name of ['setup', 'run', 'stock', 'reservation']) {
      for (const raw of blocks.get(name)!) {
        const line = adapt(raw);
        ran.push(line);
        const w = words(line);
        if (w[0] === 'npx' && w[2] === 'start') {
          // A server: started in the background and waited for, as a person waits for its "listening" line.
          const bin = join(ROOT, w[1] === 'outpost-central' ? 'apps/central/bin/outpost-central.js' : 'apps/store-agent/bin/outpost-agent.js');
          fx.spawn(w[1]!, [bin, ...w.slice(2)], { DATABASE_URL: dbUrl(), OUTPOST_RECONNECT_MIN_MS: '50', OUTPOST_RECONNECT_MAX_MS: '500' });
          const url = w[1] === 'outpost-central' ? `http://127.0.0.1:${centralPort}/readyz` : `http://127.0.0.1:${agentPort}/api/v1/status`;
          await waitFor(async () => (await request('GET', url).catch(() => ({ status: 0 }))).status === 200, { timeoutMs: 90_000, what: `${w[1]} to answer` });
          if (w[1] === 'outpost-central') vars.TOKEN = readFileSync(join(work, '.data/central/admin-token'), 'utf8').trim();
          continue;
        }
        // A pick exists at the store once the reservation has synced down: retried until it answers without an error.
        const retry = /\/picks\//.test(line);
        const r = retry
          ? await waitFor(
              () => {
                const x = sh(line);
                return x.code === 0 && !x.out.includes('"error"') ? x : null;
              },
              { timeoutMs: 60_000, what: line },
            )
          : sh(line);
        expect(r.code, `${line}\n${r.err}`).toBe(0);
        if (line.includes('curl')) expect(r.out, line).not.toMatch(/"error"/);
        if (line.includes('store add')) vars.CODE = r.out.trim();
        if (line.includes('/api/v1/reservations') && line.includes('POST')) vars.ID = (JSON.parse(r.out) as { reservationId: string }).reservationId;
        if (line.includes('outpost-agent status')) expect(JSON.parse(r.out)).toMatchObject({ storeId: 'store-001', localApi: { answering: true } });
        if (line.includes('/api/v1/events')) {
          // The sale the run example captured at the agent reaches central.
          await waitFor(
            () => (JSON.parse(sh(line).out) as { items: { payload: { transactionId?: string } }[] }).items.some((e) => e.payload.transactionId === 'T-1'),
            { timeoutMs: 60_000, what: "central to hold the run example's sale" },
          );
        }
        if (line.includes('/inventory?storeId=store-001')) {
          // The receipt and the count reached central (the agent syncs within moments).
          await waitFor(
            () => {
              const inv = JSON.parse(sh(line).out) as { items: { sku: string; onHand: number }[] };
              return inv.items.find((i) => i.sku === 'SKU-1')?.onHand === 24;
            },
            { timeoutMs: 60_000, what: 'central to hold the counted stock' },
          );
        }
      }
    }
    expect(vars.ID).toBeDefined();
    const final = JSON.parse(sh(adapt(`curl -s http://127.0.0.1:8080/api/v1/reservations/$ID -H "authorization: Bearer $TOKEN"`)).out) as { status: string };
    expect(final.status).toBe('collected');
    expect(ran.length).toBeGreaterThan(10);
  }, 300_000);
});
