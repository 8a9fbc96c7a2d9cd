import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';
import { client, request } from './http.js';
import { waitFor } from './wait.js';

export const ROOT = resolve(import.meta.dirname, '../..');
const CENTRAL_BIN = join(ROOT, 'apps/central/bin/outpost-central.js');
export const AGENT_BIN = join(ROOT, 'apps/store-agent/bin/outpost-agent.js');

/** A real process with its output kept (last 200 lines) for failure messages. */
export class Proc {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(readonly name: string, readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      for (const l of chunk.toString('utf8').split('\n')) if (l) this.lines.push(l);
      if (this.lines.length > 400) this.lines.splice(0, this.lines.length - 200);
      if (process.env.OUTPOST_TEST_VERBOSE) process.stderr.write(`[${name}] ${chunk.toString('utf8')}`);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
  }
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }
  /** kill -9: no chance to flush, close or ack anything. */
  async kill9(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(t);
  }
}

/** Everything a test started, so afterEach/afterAll can always clean up. */
export class Fixture {
  private readonly procs: Proc[] = [];
  private readonly dirs: string[] = [];

  tempDir(prefix = 'outpost-'): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(d, 0o777);
    this.dirs.push(d);
    return d;
  }

  spawn(name: string, args: string[], env: Record<string, string> = {}): Proc {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new Proc(name, child);
    this.procs.push(p);
    return p;
  }

  /** A process started elsewhere (another folder, its own environment), killed at cleanup like the others. */
  adopt(p: Proc): Proc {
    this.procs.push(p);
    return p;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill9()));
    this.procs.length = 0;
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.dirs.length = 0;
  }
}

export interface CentralHandle {
  proc: Proc;
  url: string;
  port: number;
  adminToken: string;
  api: ReturnType<typeof client>;
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export async function startCentral(
  fx: Fixture,
  /** `databaseUrl: null`: central runs its own embedded PostgreSQL in `<dataDir>/pg` (the zero-setup default). */
  opts: { databaseUrl: string | null; port?: number; env?: Record<string, string>; dataDir?: string; waitReady?: boolean },
): Promise<CentralHandle> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? fx.tempDir('outpost-central-');
  const proc = fx.spawn(
    'central',
    [CENTRAL_BIN, 'start', '--port', String(port), '--data-dir', dataDir, ...(opts.databaseUrl === null ? [] : ['--database-url', opts.databaseUrl])],
    { OUTPOST_ADMIN_TOKEN: ADMIN_TOKEN, ...opts.env },
  );
  const url = `http://127.0.0.1:${port}`;
  const handle = { proc, url, port, adminToken: ADMIN_TOKEN, api: client(`${url}/api/v1`, ADMIN_TOKEN) };
  if (opts.waitReady === false) return handle; // e.g. a central set up to crash: the test awaits its exit
  await waitFor(
    async () => {
      if (!proc.alive) throw new Error(`central exited:\n${proc.tail()}`);
      return (await request('GET', `${url}/readyz`)).status === 200;
    },
    { timeoutMs: opts.databaseUrl === null ? 180_000 : 60_000, what: 'central /readyz' },
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n--- central output ---\n${proc.tail()}`);
  });
  return handle;
}

/** Create the store if needed and enrol an agent data folder through the real CLI. */
export async function enrollAgent(
  central: CentralHandle,
  storeId: string,
  dataDir: string,
  opts: { currency?: string; createStore?: boolean } = {},
): Promise<{ storeId: string; deviceId: string; token: string }> {
  let code: string;
  if (opts.createStore !== false) {
    const r = await central.api.post<{ enrollmentCode: string }>('/stores', { storeId, name: `Store ${storeId}` });
    if (r.status !== 201) throw new Error(`create store: ${r.status} ${JSON.stringify(r.body)}`);
    code = r.body.enrollmentCode;
  } else {
    const r = await central.api.post<{ enrollmentCode: string }>(`/stores/${storeId}/enrollment-codes`);
    if (r.status !== 201) throw new Error(`enrolment code: ${r.status} ${JSON.stringify(r.body)}`);
    code = r.body.enrollmentCode;
  }
  const args = [AGENT_BIN, 'enroll', '--central', central.url, '--code', code, '--data-dir', dataDir, '--name', `till-${storeId}`];
  if (opts.currency) args.push('--currency', opts.currency);
  const res = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`enroll failed (${res.status}): ${res.stdout}\n${res.stderr}`);
  const cfg = JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8')) as { storeId: string; deviceId: string; token: string };
  return { storeId: cfg.storeId, deviceId: cfg.deviceId, token: cfg.token };
}

export interface AgentHandle {
  proc: Proc;
  url: string;
  port: number;
  dataDir: string;
  api: ReturnType<typeof client>;
}

/** Fast reconnects so tests do not wait on production backoff (still exponential with jitter). */
export const FAST_RECONNECT = { OUTPOST_RECONNECT_MIN_MS: '100', OUTPOST_RECONNECT_MAX_MS: '1000' };

export async function startAgent(
  fx: Fixture,
  /** `unenrolled`: the data folder has no enrolment yet, so ready means the enrolment screen answers (GET /api/v1/enrolment). */
  opts: { dataDir: string; port?: number; env?: Record<string, string>; waitReady?: boolean; unenrolled?: boolean },
): Promise<AgentHandle> {
  const port = opts.port ?? (await freePort());
  const proc = fx.spawn('agent', [AGENT_BIN, 'start', '--data-dir', opts.dataDir, '--port', String(port)], {
    ...FAST_RECONNECT,
    ...opts.env,
  });
  const url = `http://127.0.0.1:${port}`;
  const handle = { proc, url, port, dataDir: opts.dataDir, api: client(`${url}/api/v1`) };
  if (opts.waitReady === false) return handle; // e.g. an agent set up to crash: the test awaits its exit
  await waitFor(
    async () => {
      if (!proc.alive) throw new Error(`agent exited:\n${proc.tail()}`);
      return (await request('GET', `${url}/api/v1/${opts.unenrolled ? 'enrolment' : 'status'}`)).status === 200;
    },
    { timeoutMs: 60_000, what: `agent /api/v1/${opts.unenrolled ? 'enrolment' : 'status'}` },
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n--- agent output ---\n${proc.tail()}`);
  });
  return handle;
}

export interface AgentStatus {
  storeId: string;
  deviceId: string;
  online: boolean;
  pendingUp: number;
  lastAckedSeq: number;
  lastSyncAt: string | null;
  pendingPicks: number;
  appliedCommandSeq: number;
  lastError: string | null;
  clockSkewMs: number | null;
  clockSkewAt: string | null;
  clockCorrected: boolean;
  dbBytes: number;
  diskFreeBytes: number | null;
  diskLow: boolean;
  retentionDays: number;
  retentionRunAt: string | null;
  retentionDeletedEvents: number;
}

export async function agentStatus(agent: AgentHandle): Promise<AgentStatus> {
  const r = await agent.api.get<AgentStatus>('/status');
  if (r.status !== 200) throw new Error(`status ${r.status}`);
  return r.body;
}

/** Every event central holds for a store, walking the `next` cursor. */
export async function allEvents(central: CentralHandle, storeId: string): Promise<StoredEventLike[]> {
  const out: StoredEventLike[] = [];
  let after: string | null = null;
  for (;;) {
    const q: string = `/events?storeId=${encodeURIComponent(storeId)}&limit=1000${after ? `&after=${after}` : ''}`;
    const r = await central.api.get<{ items: StoredEventLike[]; next: string | null }>(q);
    if (r.status !== 200) throw new Error(`GET /events ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...r.body.items);
    if (!r.body.next) return out;
    after = r.body.next;
  }
}

export interface StoredEventLike {
  eventId: string;
  storeId: string;
  deviceId: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  receivedAt: string;
}
