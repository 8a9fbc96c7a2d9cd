import { io } from 'socket.io-client';
import type { FastifyInstance } from 'fastify';
import { HybridClock, OUTPOST_VERSION, type agentApi } from '@outpost/shared';
import { Capture } from './capture.js';
import { CommandApplier } from './command-apply.js';
import { dbPath, readEnrolment, settingsFromEnv, storeToken, type Enrolment, type Env, type Settings } from './config.js';
import { openAgentDb, type AgentDb } from './db/open.js';
import { crashNow, parseFaults } from './faults.js';
import { buildHttpApi, isLoopbackHost } from './http-api.js';
import { PosInbox } from './inbox.js';
import { ImportReports } from './import-reports.js';
import { DiskBudget } from './disk.js';
import { listItems } from './items.js';
import { jsonLogger, type Logger } from './log.js';
import { Outbox } from './outbox.js';
import { OfflineBudget } from './offline-budget.js';
import { Picks } from './picks.js';
import { Retention } from './retention.js';
import { SyncStateStore } from './state.js';
import { SeedApplier } from './seed-apply.js';
import { DeviceClock } from './device-clock.js';
import { LocalStock } from './stock.js';
import { SyncClient, type ConnectFn } from './sync-client.js';

/** The agent's version: the release version (one number for every Outpost program, see @outpost/shared). */
export const AGENT_VERSION: string = OUTPOST_VERSION;

export interface CreateAgentOptions {
  dataDir: string;
  /** Listen address of the local API (default OUTPOST_AGENT_HOST or 127.0.0.1). */
  host?: string;
  /** Port of the local API (default OUTPOST_AGENT_PORT or 8090; 0 picks a free one). */
  port?: number;
  /** Wall clock (ms); tests inject one. */
  now?: () => number;
  /** socket.io-client factory (default `io`). */
  connect?: ConnectFn;
  /** Environment read for settings and faults (default process.env). */
  env?: Env;
  /** Overrides on top of the environment's settings. */
  settings?: Partial<Settings>;
  log?: Logger;
  agentVersion?: string;
}

export interface Agent {
  readonly enrolment: Enrolment;
  readonly db: AgentDb;
  readonly capture: Capture;
  readonly stock: LocalStock;
  readonly outbox: Outbox;
  readonly applier: CommandApplier;
  readonly sync: SyncClient;
  readonly picks: Picks;
  /** Applies central's `seed`: the store's picture for a till that holds none. */
  readonly seeder: SeedApplier;
  /** POS export files dropped in `<data-dir>/inbox/`, watched while the agent runs. */
  readonly inbox: PosInbox;
  /** Deletes acknowledged history in small steps (OUTPOST_RETENTION_DAYS). */
  readonly retention: Retention;
  /** Serve the local API, start syncing and watching the POS inbox; resolves with the URL the API listens on. */
  start(opts?: { sync?: boolean; http?: boolean; inbox?: boolean; retention?: boolean }): Promise<{ url: string | null }>;
  /** Close the socket, the HTTP server and the database. Safe to call twice. */
  stop(): Promise<void>;
  status(): agentApi.AgentStatusResponse;
}

/** Build one agent from its data folder. Everything is per instance: two agents can run in one process. */
export function createAgent(opts: CreateAgentOptions): Agent {
  const env = opts.env ?? process.env;
  const settings: Settings = { ...settingsFromEnv(env), ...opts.settings };
  const host = opts.host ?? settings.host;
  const port = opts.port ?? settings.port;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? jsonLogger();
  const faults = parseFaults(env.OUTPOST_FAULT);
  const enrolment = readEnrolment(opts.dataDir);
  const loopbackOnly = isLoopbackHost(host);
  if (!loopbackOnly && !settings.apiKey) {
    throw new Error(`listening on ${host} (beyond loopback) needs OUTPOST_AGENT_API_KEY: the local API would be open to the network`);
  }

  const disk = new DiskBudget({ dataDir: opts.dataDir, dbFile: dbPath(opts.dataDir), lowBytes: settings.diskLowBytes, log });
  const adb = openAgentDb(dbPath(opts.dataDir), { sync: settings.sqliteSync, nativeBinding: settings.sqliteBinding, freeBytes: disk.freeBytes() });
  if (adb.vacuum === 'pending') log.warn('database not yet switched to incremental vacuum (too little free disk for the one-time VACUUM); trying again at the next start');
  let sync: SyncClient | null = null;
  let app: FastifyInstance | null = null;
  let stopped = false;
  let storageError: string | null = null;
  try {
    const state = new SyncStateStore(adb);
    const st = state.ensure(enrolment.storeId, enrolment.deviceId);
    // Captures are dated and stamped by business time: central's when this PC's clock is off (device-clock.ts).
    const deviceClock = new DeviceClock(now, state, settings.clockToleranceMs);
    const clock = new HybridClock(enrolment.deviceId, deviceClock.businessNow, st.lastHlc);
    const outbox = new Outbox(adb, state, now, log);
    const stock = new LocalStock(adb.sqlite);
    const capture = new Capture({
      stock,
      adb,
      clock,
      state,
      now: deviceClock.businessNow,
      storeId: enrolment.storeId,
      deviceId: enrolment.deviceId,
      currency: enrolment.currency,
      onCaptured: () => sync?.wake(),
      // Kept in memory: with the disk full, writing the problem to the database would fail too.
      onStorageError: (message) => {
        if (message === storageError) return;
        if (message) log.error('capture failed: disk full', { error: message });
        else log.info('capture works again after a full disk');
        storageError = message;
      },
    });
    const applier = new CommandApplier({
      adb,
      stock,
      clock,
      state,
      now,
      log,
      onApplied: (seq) => {
        if (faults.crashAfterCommandApplied === seq) crashNow();
      },
    });
    const importReports = new ImportReports(adb, log);
    const seeder = new SeedApplier({ adb, state, stock, now, log });
    const budget = new OfflineBudget(adb, () => state.get().ackedSeq);
    sync = new SyncClient({
      connect: opts.connect ?? io,
      outbox,
      state,
      applier,
      enrolment,
      settings,
      faults,
      log,
      agentVersion: opts.agentVersion ?? AGENT_VERSION,
      reports: importReports,
      clock: deviceClock,
      storeToken: (token) => storeToken(opts.dataDir, token),
      seeder,
      diskFree: () => disk.freeBytes(),
      unsent: () => budget.unsent(),
      now,
    });
    const inbox = new PosInbox({
      dataDir: opts.dataDir,
      capture,
      transaction: (fn) => adb.sqlite.transaction(fn).immediate(),
      pollMs: settings.inboxPollMs,
      log,
      now,
      onRejected: (r) => {
        importReports.record(r);
        sync?.flushReports();
      },
    });
    const picks = new Picks(adb, capture, now);
    const retention = new Retention({
      adb,
      now,
      log,
      settings: { days: settings.retentionDays, intervalMs: settings.retentionIntervalMs, batchRows: settings.retentionBatchRows },
    });
    const client = sync;

    const status = (): agentApi.AgentStatusResponse => {
      const s = state.get();
      return {
        storeId: s.storeId,
        deviceId: s.deviceId,
        online: client.online,
        pendingUp: Math.max(0, s.lastSeq - s.ackedSeq),
        lastAckedSeq: s.ackedSeq,
        lastSyncAt: s.lastSyncAt,
        pendingPicks: picks.pendingCount(),
        appliedCommandSeq: s.appliedCommandSeq,
        seed: { wanted: s.seedWanted === 1, atSeq: s.seededAtSeq, at: s.seededAt },
        lastError: storageError ?? s.lastError,
        ...deviceClock.view(),
        agentVersion: AGENT_VERSION,
        protocolVersion: client.protocolVersion,
        offlineSince: client.online ? null : s.offlineSince,
        unsent: budget.unsent(),
        ...disk.view(),
        ...retention.view(),
      };
    };

    return {
      enrolment,
      db: adb,
      capture,
      stock,
      outbox,
      applier,
      sync: client,
      picks,
      seeder,
      inbox,
      retention,
      status,
      async start(o = {}) {
        let url: string | null = null;
        if (o.http !== false) {
          const { storeId, deviceId, deviceName, currency, centralUrl } = enrolment;
          app = buildHttpApi({ capture, status, listItems: (q) => listItems(adb, q), listStock: (q) => stock.list(q, picks.heldBySku()), picks, loopbackOnly, apiKey: settings.apiKey, log, device: { storeId, deviceId, deviceName, currency, centralUrl } });
          await app.listen({ host, port });
          const addr = app.server.address();
          const p = typeof addr === 'object' && addr ? addr.port : port;
          url = `http://${host.includes(':') ? `[${host}]` : host}:${p}`;
        }
        if (o.sync !== false) client.start();
        if (o.inbox !== false) await inbox.start();
        if (o.retention !== false) retention.start();
        log.info('agent started', { storeId: enrolment.storeId, deviceId: enrolment.deviceId, url });
        return { url };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        client.stop();
        retention.stop();
        await inbox.stop();
        if (app) await app.close();
        adb.close();
        log.info('agent stopped', { storeId: enrolment.storeId });
      },
    };
  } catch (e) {
    adb.close();
    throw e;
  }
}
