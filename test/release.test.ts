import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OUTPOST_VERSION, PROTOCOL_VERSION } from '@outpost/shared';
import { Fixture, Proc, ROOT } from './support/procs.js';
import { freePort } from './support/ports.js';
import { client, request } from './support/http.js';
import { waitFor } from './support/wait.js';

/**
 * The release as IT installs it: the build packed into tarballs (scripts/pack-release.mjs), unpacked into a
 * temporary folder outside the repository and installed with production dependencies only (`npm ci --omit=dev`,
 * from npm's cache: CI's own `npm ci` just filled it), then central (embedded PostgreSQL) and an agent run from
 * there and a sale reaches central. Nothing of the repository is reachable from that folder, so the processes
 * cannot load tsx or a TypeScript source even by accident; the test checks that as well.
 */
describe('release build: packed, installed with production dependencies only, run without tsx', () => {
  const fx = new Fixture();
  afterAll(async () => fx.cleanup());

  const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()) => {
    const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  /** The environment of a service: no NODE_OPTIONS (no --import tsx sneaking in), nothing of vitest's. */
  function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...extra };
    if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
    return env;
  }

  function install(which: 'central' | 'agent', into: string): string {
    const tarball = run(process.execPath, [join(ROOT, 'scripts/pack-release.mjs'), which, join(into, 'out')], ROOT).trim().split('\n').pop()!;
    const dir = join(into, which);
    mkdirSync(dir);
    run('tar', ['xzf', tarball, '--strip-components=1', '-C', dir], into);
    if (which === 'central') {
      run('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], dir);
    } else {
      // better-sqlite3's install script would compile it again (minutes on two cores): install without scripts and
      // take the module the repository's install built, for the same Node and the same better-sqlite3 version.
      run('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
      const version = (p: string) => (JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')) as { version: string }).version;
      const repoSqlite = join(ROOT, 'node_modules/better-sqlite3');
      const copySqlite = join(dir, 'node_modules/better-sqlite3');
      expect(version(copySqlite)).toBe(version(repoSqlite));
      cpSync(join(repoSqlite, 'build/Release/better_sqlite3.node'), join(copySqlite, 'build/Release/better_sqlite3.node'));
    }
    return dir;
  }

  /** Neither the command line nor the environment of a running process brings tsx (or any loader) in. */
  function expectPlainNode(p: Proc): void {
    const argv = readFileSync(`/proc/${p.child.pid}/cmdline`, 'utf8').split('\0');
    expect(argv.join(' ')).not.toMatch(/tsx|--import|--loader|--require|--experimental-(strip|transform)-types/);
    expect(argv[1]).toMatch(/(^|\/)bin\/outpost-(central|agent)\.js$/);
    const environ = readFileSync(`/proc/${p.child.pid}/environ`, 'utf8').split('\0');
    expect(environ.filter((e) => e.startsWith('NODE_OPTIONS=') || e.includes('tsx'))).toEqual([]);
  }

  it('builds, installs central and an agent from tarballs, and a sale syncs', { timeout: 900_000 }, async () => {
    const base = fx.tempDir('outpost-release-');
    const centralDir = install('central', base);
    const agentDir = install('agent', base);

    for (const dir of [centralDir, agentDir]) {
      // Production dependencies only: no tsx, no TypeScript, no drizzle-kit, no vitest; and no TypeScript shipped.
      const req = createRequire(join(dir, 'package.json'));
      for (const dev of ['tsx', 'typescript', 'drizzle-kit', 'vitest', 'esbuild']) expect(() => req.resolve(dev), dev).toThrow();
      expect(existsSync(join(dir, 'src'))).toBe(false);
      expect(run('find', [join(dir, 'dist'), join(dir, 'node_modules/@outpost'), '-name', '*.ts'], dir)).toBe('');
      expect(existsSync(join(dir, 'dist/cli.js.map'))).toBe(true);
    }
    expect(run(process.execPath, ['bin/outpost-central.js', '--version'], centralDir).trim()).toBe(
      `outpost-central ${OUTPOST_VERSION} (protocol v${PROTOCOL_VERSION}, node ${process.version})`,
    );
    expect(run(process.execPath, ['bin/outpost-agent.js', '--version'], agentDir).trim()).toBe(
      `outpost-agent ${OUTPOST_VERSION} (protocol v${PROTOCOL_VERSION}, node ${process.version})`,
    );

    // Central from the copy, on its embedded PostgreSQL (also from the copy).
    const token = 'release-test-admin-token-0123456789';
    const port = await freePort();
    const centralData = join(base, 'central-data');
    mkdirSync(centralData, { mode: 0o777 });
    const spawnIn = (name: string, cwd: string, args: string[], env: Record<string, string> = {}) => {
      const child = spawn(process.execPath, args, { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      return fx.adopt(new Proc(name, child));
    };
    const central = spawnIn('central', centralDir, ['bin/outpost-central.js', 'start', '--port', String(port), '--data-dir', centralData], {
      OUTPOST_ADMIN_TOKEN: token,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (!central.alive) throw new Error(`central exited:\n${central.tail()}`);
        return (await request('GET', `${url}/readyz`)).status === 200;
      },
      { timeoutMs: 180_000, what: 'central /readyz' },
    );
    expectPlainNode(central);
    expect((await request('GET', `${url}/healthz`)).body).toEqual({ status: 'ok', version: OUTPOST_VERSION });
    const metrics = await request<string>('GET', `${url}/metrics`, { token });
    expect(metrics.body).toMatch(new RegExp(`^outpost_build_info\\{version="${OUTPOST_VERSION.replaceAll('.', '\\.')}",protocol_version="${PROTOCOL_VERSION}",[^}]*\\} 1$`, 'm'));

    // An agent from its copy, enrolled through its own CLI.
    const api = client(`${url}/api/v1`, token);
    const store = await api.post<{ enrollmentCode: string }>('/stores', { storeId: 'rel-1', name: 'Release store' });
    expect(store.status).toBe(201);
    const agentData = join(base, 'agent-data');
    run(process.execPath, ['bin/outpost-agent.js', 'enroll', '--central', url, '--code', store.body.enrollmentCode, '--data-dir', agentData], agentDir);
    const agentPort = await freePort();
    const agent = spawnIn('agent', agentDir, ['bin/outpost-agent.js', 'start', '--data-dir', agentData, '--port', String(agentPort)], {
      OUTPOST_RECONNECT_MIN_MS: '100',
      OUTPOST_RECONNECT_MAX_MS: '1000',
    });
    const agentApi = client(`http://127.0.0.1:${agentPort}/api/v1`);
    await waitFor(async () => (await agentApi.get('/status')).status === 200, { timeoutMs: 60_000, what: 'agent status' }).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${agent.tail()}`);
    });
    expectPlainNode(agent);
    // The native SQLite module is the copy's, not the repository's.
    const natives = readFileSync(`/proc/${agent.child.pid}/maps`, 'utf8').split('\n').filter((l) => l.endsWith('.node')).map((l) => l.split(/\s+/).pop()!);
    expect(natives.length).toBeGreaterThan(0);
    for (const n of natives) expect(n.startsWith(agentDir)).toBe(true);

    const sale = { transactionId: 'REL-1', lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 450 }] };
    expect((await agentApi.post('/sales', sale)).status).toBe(201);
    const synced = await waitFor(
      async () => {
        const r = await api.get<{ items: { type: string; storeId: string; payload: { transactionId?: string } }[] }>('/events?storeId=rel-1');
        return r.body.items.find((e) => e.type === 'sale.completed' && e.payload.transactionId === 'REL-1');
      },
      { timeoutMs: 60_000, what: 'the sale at central' },
    );
    expect(synced.storeId).toBe('rel-1');
    const status = await agentApi.get<{ pendingUp: number; agentVersion: string }>('/status');
    expect(status.body).toMatchObject({ agentVersion: OUTPOST_VERSION });
    await waitFor(async () => (await agentApi.get<{ pendingUp: number }>('/status')).body.pendingUp === 0, { what: 'the agent caught up' });
    // The fleet table shows the version the agent reported in its hello.
    const fleet = await api.get<{ items: { storeId: string; devices: { agentVersion: string | null }[] }[] }>('/stores');
    expect(fleet.body.items.find((s) => s.storeId === 'rel-1')?.devices.map((d) => d.agentVersion)).toEqual([OUTPOST_VERSION]);
  });
});
