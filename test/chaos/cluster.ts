import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { erpReceiver, type ErpReceiver } from '../support/erp-receiver.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { enrollAgent, startAgent, startCentral, type AgentHandle, type CentralHandle, type Fixture } from '../support/procs.js';

/**
 * The processes of a chaos round and the hands that hurt them: central on its embedded PostgreSQL, N agents
 * (several tills per store), each agent behind its own fault proxy, and an ERP webhook endpoint that can go
 * down. The cluster also plays the service supervisor: a process that dies without being killed by the round
 * is noted (a failure) and started again, as systemd would.
 */
export const ERP_SECRET = 'chaos-erp-secret-0123456789';
export const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export interface Till {
  index: number;
  storeId: string;
  /** Short tag used in business ids, unique per till. */
  tag: string;
  deviceId: string;
  dataDir: string;
  port: number;
  proxy: FaultProxy;
  agent: AgentHandle | null;
  /** Hours the till's clock is off (faketime), 0 when true. */
  skewHours: number;
  /** A copy of the data folder taken while the agent was stopped (a backup / PC image). */
  snapshot: string | null;
  /** Bumped when the data folder is put back from an older copy: capture keys of earlier lives are forgotten. */
  life: number;
  /** The process is being killed/restarted by the round: traffic waits. */
  busy: boolean;
}

export class Cluster {
  central!: CentralHandle;
  readonly centralDir: string;
  centralPort = 0;
  erp!: ErpReceiver;
  readonly tills: Till[] = [];
  /** Processes that died without the round killing them: each is an invariant failure. */
  readonly unexpectedExits: string[] = [];
  private centralKilled = false;
  private stopping = false;
  private centralRestart: Promise<void> | null = null;

  constructor(
    private readonly fx: Fixture,
    private readonly log: (line: string) => void,
  ) {
    this.centralDir = fx.tempDir('outpost-chaos-central-');
  }

  async start(agents: number, tillsPerStore: number): Promise<void> {
    const erpPort = await freePort();
    this.erp = erpReceiver(erpPort, ERP_SECRET);
    await this.erpUp();
    this.centralPort = await freePort();
    await this.startCentral();
    for (let i = 0; i < agents; i++) {
      const s = Math.floor(i / tillsPerStore);
      const storeId = `chaos-${String(s).padStart(3, '0')}`;
      const dataDir = this.fx.tempDir('outpost-chaos-agent-');
      const proxy = await startFaultProxy(this.centralPort);
      // Enrolled directly (the enrol CLI blocks this process, proxy included), then pointed at its proxy.
      const cfg = await enrollAgent(this.central, storeId, dataDir, { createStore: i % tillsPerStore === 0 });
      const cfgFile = join(dataDir, 'agent.json');
      writeFileSync(cfgFile, JSON.stringify({ ...(JSON.parse(readFileSync(cfgFile, 'utf8')) as object), centralUrl: proxy.url }, null, 2));
      const till: Till = {
        index: i,
        storeId,
        tag: `D${i}`,
        deviceId: cfg.deviceId,
        dataDir,
        port: await freePort(),
        proxy,
        agent: null,
        skewHours: 0,
        snapshot: null,
        life: 0,
        busy: false,
      };
      this.tills.push(till);
      await this.startTill(till);
    }
  }

  stores(): string[] {
    return [...new Set(this.tills.map((t) => t.storeId))];
  }

  private async startCentral(): Promise<void> {
    this.centralKilled = false;
    this.central = await startCentral(this.fx, {
      databaseUrl: null,
      port: this.centralPort,
      dataDir: this.centralDir,
      env: {
        OUTPOST_ERP: 'webhook',
        OUTPOST_ERP_WEBHOOK_URL: this.erp.url,
        OUTPOST_ERP_WEBHOOK_SECRET: ERP_SECRET,
        OUTPOST_ERP_RETRY_BASE_MS: '200',
        OUTPOST_ERP_RETRY_MAX_MS: '2000',
        OUTPOST_ERP_CIRCUIT_COOLDOWN_MS: '500',
        OUTPOST_ERP_CIRCUIT_MAX_COOLDOWN_MS: '2000',
        // A killed central's stores are taken over after this lease (production default 120 s).
        OUTPOST_ERP_LEASE_MS: '10000',
        OUTPOST_LOG_LEVEL: 'warn',
        // A fleet enrolled in one go from one address, and the round's own admin traffic: not an attack.
        OUTPOST_RATE_ENROLL: '100000',
        OUTPOST_RATE_PER_TOKEN: '1000000',
      },
    });
    const proc = this.central.proc;
    void proc.exited.then(({ code, signal }) => {
      if (this.stopping || this.centralKilled || proc !== this.central.proc) return;
      this.unexpectedExits.push(`central exited by itself (code ${code}, signal ${signal}):\n${proc.tail(15)}`);
      this.log(`chaos: central exited by itself (code ${code}, signal ${signal}); restarting it`);
      this.centralRestart = this.startCentral().finally(() => {
        this.centralRestart = null;
      });
    });
  }

  private erpIsUp = false;

  async erpUp(): Promise<void> {
    if (this.erpIsUp) return;
    this.erpIsUp = true;
    await this.erp.start();
  }

  async erpDown(): Promise<void> {
    if (!this.erpIsUp) return;
    this.erpIsUp = false;
    await this.erp.stop();
  }

  async killCentral(): Promise<void> {
    await this.centralRestart;
    this.centralKilled = true;
    await this.central.proc.kill9();
  }

  async restartCentral(): Promise<void> {
    await this.centralRestart;
    if (!this.central.proc.alive) await this.startCentral();
  }

  /** The postmaster's pid and the URL to reach central's embedded database (from its data folder). */
  postgres(): { pid: number; url: string } | null {
    const lock = join(this.centralDir, 'pg', 'postmaster.pid');
    if (!existsSync(lock)) return null;
    const lines = readFileSync(lock, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    const password = readFileSync(join(this.centralDir, 'pg-password'), 'utf8').trim();
    return { pid, url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres` };
  }

  async killPostgres(): Promise<boolean> {
    const pg = this.postgres();
    if (!pg) return false;
    try {
      process.kill(pg.pid, 'SIGKILL');
      return true;
    } catch {
      return false;
    }
  }

  async startTill(t: Till): Promise<void> {
    const env: Record<string, string> = { OUTPOST_BATCH_EVENTS: '50', OUTPOST_LOG_LEVEL: 'warn' };
    if (t.skewHours !== 0) {
      // Wall clock only: timers and heartbeats (monotonic) keep real time, as on a PC whose clock is set wrong.
      Object.assign(env, { LD_PRELOAD: FAKETIME_LIB, FAKETIME: `${t.skewHours > 0 ? '+' : ''}${t.skewHours}h`, FAKETIME_DONT_FAKE_MONOTONIC: '1' });
    }
    t.agent = await startAgent(this.fx, { dataDir: t.dataDir, port: t.port, env });
    const proc = t.agent.proc;
    void proc.exited.then(({ code, signal }) => {
      if (this.stopping || t.busy || t.agent?.proc !== proc) return;
      this.unexpectedExits.push(`agent ${t.tag} exited by itself (code ${code}, signal ${signal}):\n${proc.tail(15)}`);
      this.log(`chaos: agent ${t.tag} exited by itself (code ${code}, signal ${signal}); restarting it`);
      t.busy = true;
      void this.startTill(t)
        .catch((e: unknown) => this.unexpectedExits.push(`agent ${t.tag} did not restart: ${String(e)}`))
        .finally(() => {
          t.busy = false;
        });
    });
  }

  async killTill(t: Till): Promise<void> {
    await t.agent?.proc.kill9();
  }

  /** While the agent is stopped: keep a copy of its data folder (a backup taken of the till's PC). */
  snapshot(t: Till): void {
    const to = this.fx.tempDir('outpost-chaos-backup-');
    cpSync(t.dataDir, to, { recursive: true });
    if (t.snapshot) rmSync(t.snapshot, { recursive: true, force: true });
    t.snapshot = to;
  }

  /** While the agent is stopped: put the older copy back in place of its data folder. */
  restoreSnapshot(t: Till): boolean {
    if (!t.snapshot) return false;
    rmSync(t.dataDir, { recursive: true, force: true });
    cpSync(t.snapshot, t.dataDir, { recursive: true });
    t.life++;
    return true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.centralRestart?.catch(() => {});
    for (const t of this.tills) await t.proxy.close();
    await this.erpDown();
    await this.central?.proc.kill9();
    // central was killed: its embedded postmaster outlives it; stop it (SIGQUIT: immediate shutdown of it and its
    // backends) before its folder is removed.
    const pg = this.postgres();
    if (pg) {
      try {
        process.kill(pg.pid, 'SIGQUIT');
        await waitFor(() => !existsSync(`/proc/${pg.pid}`) || readFileSync(`/proc/${pg.pid}/stat`, 'utf8').includes(') Z'), {
          timeoutMs: 30_000,
          what: 'embedded PostgreSQL to stop',
        });
      } catch {
        // already gone
      }
    }
    await this.fx.cleanup();
  }
}
