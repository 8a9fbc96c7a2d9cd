import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { FleetMember } from './fleet-agent.js';
import { Proc, ROOT } from './procs.js';

export type { FleetMember } from './fleet-agent.js';

/** Messages to a fleet process (test/support/fleet-worker.ts). */
export type ToWorker =
  | { type: 'start'; centralUrl: string; members: FleetMember[]; reconnect: { minMs: number; maxMs: number } }
  | { type: 'sale' }
  | { type: 'trickle'; everyMs: number | null }
  | { type: 'status' }
  | { type: 'close' };

/** Messages from a fleet process: what its agents saw since the last report, or its status. */
export type FromWorker =
  | { type: 'up' }
  | {
      type: 'report';
      ready: string[];
      refused: [string, string][];
      busy: number;
      helloTimeouts: number;
      acked: [string, number, number][];
      commands: [string, number, number][];
    }
  | { type: 'status'; online: number; pendingUp: number; rssMiB: number };

/**
 * Create `n` stores and enrol one device in each through central's real HTTP API (POST /stores, then
 * POST /enroll with the code, as `outpost-agent enroll` does). Central's OUTPOST_RATE_ENROLL and
 * OUTPOST_RATE_PER_TOKEN must allow it (one address enrols the whole fleet).
 */
export async function enrolFleet(centralUrl: string, adminToken: string, n: number, opts: { prefix?: string; concurrency?: number } = {}): Promise<FleetMember[]> {
  const prefix = opts.prefix ?? 'fleet';
  const out: FleetMember[] = new Array<FleetMember>(n);
  let next = 0;
  async function post<T>(path: string, body: unknown, token?: string): Promise<T> {
    const res = await fetch(`${centralUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  async function worker(): Promise<void> {
    for (let i = next++; i < n; i = next++) {
      const storeId = `${prefix}-${String(i).padStart(5, '0')}`;
      const { enrollmentCode } = await post<{ enrollmentCode: string }>('/stores', { storeId, name: `Store ${storeId}` }, adminToken);
      const d = await post<{ storeId: string; deviceId: string; token: string }>('/enroll', { code: enrollmentCode, deviceName: `till-${storeId}` });
      out[i] = { storeId: d.storeId, deviceId: d.deviceId, token: d.token };
    }
  }
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  return out;
}

/**
 * A simulated fleet: the members spread over `processes` child processes, each agent its own socket.io
 * connection speaking the real protocol (fleet-agent.ts). Everything the agents report is gathered here.
 */
export class SimFleet {
  /** Stores whose hello succeeded since the last `resetReady`, with the time it did. */
  readonly readyAt = new Map<string, number>();
  readonly refused: [string, string][] = [];
  busy = 0;
  helloTimeouts = 0;
  /** Per store, the seqs of its sales central acked (a repeat would show as a duplicate). */
  readonly acked = new Map<string, number[]>();
  readonly saleLatencyMs: number[] = [];
  /** Per store, every command receipt: seq and time (a redelivery after an ack would show as a repeat). */
  readonly commands = new Map<string, [number, number][]>();
  private readonly statuses: ((s: Extract<FromWorker, { type: 'status' }>) => void)[] = [];

  private constructor(private readonly procs: Proc[]) {
    for (const p of procs) {
      p.child.on('message', (raw: unknown) => this.onMessage(raw as FromWorker));
    }
  }

  static async start(opts: {
    centralUrl: string;
    members: FleetMember[];
    processes: number;
    reconnect?: { minMs: number; maxMs: number };
    /** Called with each process, e.g. a test fixture's `adopt`, so it is killed at cleanup whatever happens. */
    adopt?: (p: Proc) => void;
  }): Promise<SimFleet> {
    const procs: Proc[] = [];
    const ups: Promise<void>[] = [];
    for (let w = 0; w < opts.processes; w++) {
      const child = fork(join(ROOT, 'test/support/fleet-worker.ts'), [], {
        cwd: ROOT,
        execArgv: ['--conditions=outpost-source', '--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      const p = new Proc(`fleet-${w}`, child);
      opts.adopt?.(p);
      procs.push(p);
      ups.push(
        new Promise<void>((resolve, reject) => {
          child.once('message', () => resolve());
          child.once('exit', (code) => reject(new Error(`fleet process ${w} exited (${code}):\n${p.tail()}`)));
        }),
      );
    }
    await Promise.all(ups);
    const fleet = new SimFleet(procs);
    const share = Math.ceil(opts.members.length / opts.processes);
    procs.forEach((p, w) =>
      fleet.send(p, { type: 'start', centralUrl: opts.centralUrl, members: opts.members.slice(w * share, (w + 1) * share), reconnect: opts.reconnect ?? { minMs: 500, maxMs: 30_000 } }),
    );
    return fleet;
  }

  get ready(): number {
    return this.readyAt.size;
  }

  /** Forget who said hello (before a central restart, to see every agent come back). */
  resetReady(): void {
    this.readyAt.clear();
  }

  /** Every agent captures one sale now. */
  sale(): void {
    for (const p of this.procs) this.send(p, { type: 'sale' });
  }

  /** Every agent captures a sale every `everyMs` (null stops). */
  trickle(everyMs: number | null): void {
    for (const p of this.procs) this.send(p, { type: 'trickle', everyMs });
  }

  /** Agents online and sales not yet acked, over all processes; and the processes' resident memory. */
  async status(): Promise<{ online: number; pendingUp: number; rssMiB: number }> {
    const answers = await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<Extract<FromWorker, { type: 'status' }>>((resolve) => {
            this.statuses.push(resolve);
            this.send(p, { type: 'status' });
          }),
      ),
    );
    return answers.reduce((a, s) => ({ online: a.online + s.online, pendingUp: a.pendingUp + s.pendingUp, rssMiB: a.rssMiB + s.rssMiB }), { online: 0, pendingUp: 0, rssMiB: 0 });
  }

  /** The first receipt time of command `seq` at every store that has it. */
  commandReceipts(seq: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [storeId, list] of this.commands) {
      const hit = list.find(([s]) => s === seq);
      if (hit) out.set(storeId, hit[1]);
    }
    return out;
  }

  async close(): Promise<void> {
    for (const p of this.procs) if (p.alive) this.send(p, { type: 'close' });
    await Promise.all(
      this.procs.map(async (p) => {
        const t = setTimeout(() => p.child.kill('SIGKILL'), 5000);
        await p.exited;
        clearTimeout(t);
      }),
    );
  }

  private send(p: Proc, msg: ToWorker): void {
    if (p.alive) p.child.send(msg);
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'status') {
      this.statuses.shift()?.(msg);
      return;
    }
    if (msg.type !== 'report') return;
    const now = Date.now();
    for (const s of msg.ready) if (!this.readyAt.has(s)) this.readyAt.set(s, now);
    this.refused.push(...msg.refused);
    this.busy += msg.busy;
    this.helloTimeouts += msg.helloTimeouts;
    for (const [s, seq, ms] of msg.acked) {
      const l = this.acked.get(s) ?? [];
      l.push(seq);
      this.acked.set(s, l);
      this.saleLatencyMs.push(ms);
    }
    for (const [s, seq, at] of msg.commands) {
      const l = this.commands.get(s) ?? [];
      l.push([seq, at]);
      this.commands.set(s, l);
    }
  }
}
