/**
 * `npm run bench -- fleet` (issue 14): N simulated agents (BENCH_FLEET_N, default 2,000) on one central node, each
 * its own store and device, enrolled through the real API and speaking the real protocol over its own socket.io
 * connection from a few child processes (test/support/fleet.ts, the fixture the 300-agent test uses). Measured:
 *  1. central RSS with everyone connected, and per connection (over central's RSS before any agent);
 *  2. the reconnect storm: kill -9 central, start it again, time until every agent has said hello again;
 *  3. fan-out: one price change (a command for every store) until every store has it, and until central has
 *     recorded every store's ack;
 *  4. trickle: every store sells once a second; events stored per second and capture -> acked latency.
 * Figures are printed, never asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startScratchPostgres } from '../test/support/scratch-postgres.js';
import { freePort } from '../test/support/ports.js';
import { enrolFleet, SimFleet } from '../test/support/fleet.js';
import { api, createDatabase, waitUntil } from './support.js';
import { fmt, peakRssMiB, percentile, rssMiB } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const N = Number(process.env.BENCH_FLEET_N ?? 2000);
const PROCESSES = Number(process.env.BENCH_FLEET_PROCESSES ?? 4);
const TRICKLE_S = Number(process.env.BENCH_FLEET_TRICKLE_S ?? 30);
const TOKEN = 'bench-admin-token-0123456789abcdef';

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'outpost-bench-fleet-'));
  chmodSync(work, 0o777);
  const pgServer = await startScratchPostgres('outpost-bench-fleet-pg-');
  let central: ChildProcess | null = null;
  let fleet: SimFleet | null = null;
  const databaseUrl = await createDatabase(pgServer.adminUrl, 'bench_fleet');
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    await db.connect();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const log = openSync(join(work, 'central.log'), 'a');
    const startCentral = async (): Promise<ChildProcess> => {
      const c = spawn(process.execPath, ['apps/central/bin/outpost-central.js', 'start', '--port', String(port), '--database-url', databaseUrl, '--data-dir', join(work, 'central')], {
        cwd: ROOT,
        env: { ...process.env, OUTPOST_ADMIN_TOKEN: TOKEN, OUTPOST_RATE_ENROLL: '100000000', OUTPOST_RATE_PER_TOKEN: '100000000' },
        stdio: ['ignore', log, log],
      });
      central = c;
      return c;
    };
    const ready = () => waitUntil(async () => (await fetch(`${url}/readyz`).catch(() => null))?.ok === true, 'central ready', 120_000);

    let c = await startCentral();
    await ready();
    const baseRss = rssMiB(c.pid!) ?? NaN;
    const e0 = performance.now();
    const members = await enrolFleet(url, TOKEN, N, { concurrency: 8 });
    const enrolS = (performance.now() - e0) / 1000;
    console.log(`enrolment   ${fmt(N)} stores and devices through POST /stores + POST /enroll in ${fmt(enrolS, 1)} s`);

    const c0 = performance.now();
    fleet = await SimFleet.start({ centralUrl: url, members, processes: PROCESSES });
    await waitUntil(() => fleet!.ready === N, `${N} agents connected`);
    const firstConnectS = (performance.now() - c0) / 1000;
    const idleRss = rssMiB(c.pid!) ?? NaN;
    console.log(`connect     ${fmt(N)} agents connected and said hello in ${fmt(firstConnectS, 1)} s (fresh start of the fleet, ${PROCESSES} processes)`);

    // The storm: central dies with everyone connected and comes back; every agent reconnects by itself.
    const busyBefore = fleet.busy;
    const timeoutsBefore = fleet.helloTimeouts;
    c.kill('SIGKILL');
    await new Promise((r) => c.once('exit', r));
    fleet.resetReady();
    const s0 = performance.now();
    c = await startCentral();
    await ready();
    const readyS = (performance.now() - s0) / 1000;
    await waitUntil(() => fleet!.ready === N, `${N} agents back after the restart`, 600_000);
    const stormS = (performance.now() - s0) / 1000;
    const connected = (await fleet.status()).online;
    const rss = rssMiB(c.pid!) ?? NaN;
    const perConn = ((rss - baseRss) * 1024) / N;
    console.log(`storm       kill -9 + restart: central ready after ${fmt(readyS, 1)} s, all ${fmt(N)} agents back after ${fmt(stormS, 1)} s; ` +
      `hellos answered "busy, retry after" ${fmt(fleet.busy - busyBefore)}, hello timeouts ${fmt(fleet.helloTimeouts - timeoutsBefore)}, refused ${fmt(fleet.refused.length)}`);
    console.log(`memory      central RSS ${fmt(baseRss, 1)} MiB with no agent, ${fmt(idleRss, 1)} MiB with ${fmt(N)} (first start), ${fmt(rss, 1)} MiB after the storm = ${fmt(perConn, 1)} KiB per connection; fleet processes ${fmt((await fleet.status()).rssMiB, 0)} MiB`);

    // Fan-out: one price change is a command for every store.
    const f0 = Date.now();
    await api(`${url}/api/v1`, TOKEN, 'PUT', '/items/SKU-PRICE', { name: 'Price change', price: 1234, currency: 'EUR' });
    const putMs = Date.now() - f0;
    await waitUntil(() => fleet!.commandReceipts(1).size === N, 'the command at every store', 300_000);
    const lat = [...fleet.commandReceipts(1).values()].map((t) => t - f0).sort((a, b) => a - b);
    await waitUntil(async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM devices WHERE applied_command_seq >= 1')).rows[0]!.n === N, 'every ack recorded', 300_000);
    const allAckedMs = Date.now() - f0;
    console.log(`fan-out     PUT /items (appends ${fmt(N)} commands) answered in ${fmt(putMs)} ms; at the stores p50 ${fmt(percentile(lat, 50))} ms, p99 ${fmt(percentile(lat, 99))} ms, last ${fmt(lat.at(-1)!)} ms; every ack recorded at central after ${fmt(allAckedMs)} ms`);

    // Trickle: every store sells once a second.
    fleet.trickle(1000);
    await new Promise((r) => setTimeout(r, 5000)); // warm-up
    const latFrom = fleet.saleLatencyMs.length;
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n;
    const n0 = await count();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, TRICKLE_S * 1000));
    const n1 = await count();
    const rate = (n1 - n0) / ((performance.now() - t0) / 1000);
    const saleLat = fleet.saleLatencyMs.slice(latFrom).sort((a, b) => a - b);
    fleet.trickle(null);
    await waitUntil(async () => (await fleet!.status()).pendingUp === 0, 'the trickle to drain', 300_000);
    console.log(`trickle     ${fmt(N)} stores x 1 sale/s for ${TRICKLE_S} s: ${fmt(rate)} events/s stored (offered ${fmt(N)}/s); capture -> acked p50 ${fmt(percentile(saleLat, 50))} ms, p99 ${fmt(percentile(saleLat, 99))} ms`);
    const peak = peakRssMiB(c.pid!) ?? NaN;
    console.log(`central     peak RSS ${fmt(peak, 1)} MiB (this process: storm, fan-out and trickle)`);
    // The machine-readable line: plain numbers (no thousands separators) so a script can split on spaces and '='.
    const num = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'NaN');
    console.log(
      `fleet: agents=${N} connected=${connected} central_rss_mib=${num(rss)} rss_per_conn_kib=${num(perConn, 1)} storm_s=${num(stormS, 1)} ` +
        `refused=${fleet.refused.length} hello_timeouts=${fleet.helloTimeouts - timeoutsBefore} fanout_p50_ms=${num(percentile(lat, 50))} fanout_p99_ms=${num(percentile(lat, 99))} ` +
        `fanout_all_acked_ms=${num(allAckedMs)} trickle_events_per_s=${num(rate)} capture_to_acked_p99_ms=${num(percentile(saleLat, 99))} central_peak_rss_mib=${num(peak)}`,
    );
    console.log('(figures from a 2-core machine shared with other work; the fleet processes run on the same cores as central)');
  } finally {
    await fleet?.close().catch(() => undefined);
    const c = central as ChildProcess | null;
    if (c && c.exitCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
    await db.end().catch(() => undefined);
    await pgServer.stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}
