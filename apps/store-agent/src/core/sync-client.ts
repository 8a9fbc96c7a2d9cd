import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import {
  AGENT_NAMESPACE,
  AGENT_RANGE,
  COMMAND_VERSIONS_PROTOCOL_VERSION,
  SEED_PROTOCOL_VERSION,
  UNSENT_STATUS_PROTOCOL_VERSION,
  batchAckSchema,
  buildCommandVersions,
  handshakeRefusalSchema,
  versionAfterRefusal,
  centralHelloSchema,
  refusalSchema,
  type AgentHello,
  type Refusal,
  type SeedAck,
  type SyncLimits,
  type Unsent,
  type VersionRange,
} from '@outpost/shared';
import type { CommandApplier } from './command-apply.js';
import { crashNow, type Faults } from './faults.js';
import type { Logger } from './log.js';
import type { OutboxBatch, Outbox } from './outbox.js';
import type { SyncStateStore } from './state.js';
import { planForRefusal } from './refusal-policy.js';
import { measureSkew } from './device-clock.js';
import { onCommandsMessage, onUnknownMessage } from './command-channel.js';
import { createTokenRotateHandler } from './token-rotate.js';
import { centralTlsOptions, describeTlsFailure } from './central-tls.js';
import type { Settings } from './config.js';

export type ConnectFn = (url: string, opts: Partial<ManagerOptions & SocketOptions>) => Socket;

export interface SyncClientDeps {
  connect: ConnectFn;
  outbox: Outbox;
  state: SyncStateStore;
  applier: CommandApplier;
  enrolment: { centralUrl: string; token: string; storeId: string; deviceId: string; centralCa?: string | undefined };
  settings: Pick<
    Settings,
    'reconnectMinMs' | 'reconnectMaxMs' | 'authRetryMs' | 'ackTimeoutMs' | 'helloTimeoutMs' | 'maxInFlight' | 'batchEvents' | 'batchBytes'
  >;
  faults: Faults;
  log: Logger;
  agentVersion: string;
  /** Rejected till files to report to central after every hello (and when one is rejected). */
  reports?: { flush(socket: Socket | null, timeoutMs: number): Promise<void> };
  /** Told this PC's clock minus central's at every hello (device-clock.ts); read back for the status message. */
  clock?: { record(skewMs: number): void; view(): { clockSkewMs: number | null } };
  /** Free bytes on the data disk, reported in every status (central raises disk_low); null when unknown. */
  diskFree?: () => number | null;
  /** Store a rotated device token durably (agent.json); throws when it cannot. */
  storeToken: (token: string) => void;
  /** Applies central's `seed` (the store's picture for a till that holds none) and answers its ack. */
  seeder?: { onMessage(msg: unknown): SeedAck };
  /** The offline budget (events central has not acked, per kind), reported in every status from protocol v3. */
  unsent?: () => Unsent;
  /** The protocol versions this agent speaks (default AGENT_RANGE; tests of upgrade rings set another). */
  protocolRange?: VersionRange;
  now?: () => number;
}

/** A pause of the pump after a refusal: wait for the outstanding acks, then resume from `cursor()` after `delayMs`. */
interface Hold {
  reason: string;
  delayMs: number;
  cursor: () => number;
}

const REVOKED = 'device token revoked - re-enrol this device';
/**
 * While a backlog drains, the status after an ack goes out at most this often (and at once when the backlog is
 * empty): one per ack was a device-row write at central per batch, queued behind the next batch's device lock.
 */
const STATUS_EVERY_MS = 1000;
const UNKNOWN_TOKEN = 'device token unknown to central - re-enrol this device';

/**
 * The agent's half of the §4 protocol. State lives in the instance; every connection is a `session`, and an ack
 * belonging to an older session is ignored, because the next hello re-establishes where central stands.
 */
export class SyncClient {
  private socket: Socket | null = null;
  private session = 0;
  private ready = false;
  /** Highest seq handed to the socket in this session; the next batch starts after it. */
  private cursor = 0;
  /** Highest seq ever handed to the socket in this session (the cursor moves back on a hold; this does not). */
  private highestSent = 0;
  /**
   * Set at hello when central holds seqs we have not seen acked: our events up to here are resent first and
   * central compares their event ids; nothing above goes out before they are acked, so a seq_conflict can move
   * the whole unsent tail in one piece.
   */
  private verifyUpTo = 0;
  private inFlight = 0;
  private hold: Hold | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** A status due soon (after captures or acks, at most one a second): one timer serves both. */
  private statusTimer: NodeJS.Timeout | null = null;
  private lastStatusAt = 0;
  /** A hello central answered "busy, retry after X": said again on the same connection when this fires. */
  private helloTimer: NodeJS.Timeout | null = null;
  private wakeQueued = false;
  private stopped = false;
  private batchesSent = 0;
  private crashPending = false;
  private errorStreak = 0;
  private lastError: string | null;
  /** Our own bounds, lowered for good when central refuses a batch as too large. */
  private own: SyncLimits;
  private limits: SyncLimits;
  private readonly range: VersionRange;
  /** The highest version the next handshake offers: our top, lowered while a central refuses it. */
  private offered: number;
  /** The version of the current connection, from central's hello answer (null: not connected). */
  private version: number | null = null;
  private token: string;

  constructor(private readonly d: SyncClientDeps) {
    this.own = { maxBatchEvents: d.settings.batchEvents, maxBatchBytes: d.settings.batchBytes, maxInFlight: d.settings.maxInFlight };
    this.limits = { ...this.own };
    this.lastError = d.state.get().lastError;
    this.range = d.protocolRange ?? AGENT_RANGE;
    this.offered = this.range.max;
    this.token = d.enrolment.token;
  }

  /** The protocol version of the current connection (null while not connected). */
  get protocolVersion(): number | null {
    return this.online ? this.version : null;
  }

  /** The handshake: our token and the versions we offer (a range from v3 on; a v2 offer is exactly what a v2 agent sent). */
  private auth(): { token: string; protocolVersion: number; minProtocolVersion?: number } {
    const min = Math.min(this.range.min, this.offered);
    return min < this.offered ? { token: this.token, protocolVersion: this.offered, minProtocolVersion: min } : { token: this.token, protocolVersion: this.offered };
  }

  private now(): string {
    return new Date(this.d.now?.() ?? Date.now()).toISOString();
  }

  get online(): boolean {
    return this.ready && this.socket?.connected === true;
  }

  get currentLimits(): SyncLimits {
    return { ...this.limits };
  }

  start(): void {
    const { enrolment: e, settings: s } = this.d;
    const socket = this.d.connect(e.centralUrl.replace(/\/+$/, '') + AGENT_NAMESPACE, {
      auth: this.auth(),
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: s.reconnectMinMs,
      reconnectionDelayMax: s.reconnectMaxMs,
      randomizationFactor: 0.5,
      forceNew: true,
      // wss: central's certificate is verified (system CAs plus the enrolment's CA), never skipped.
      ...centralTlsOptions(e.centralUrl, e.centralCa),
    });
    this.socket = socket;
    // Offline until hello succeeds; an outage that began before a restart keeps its start.
    this.d.state.setOffline(this.now());
    socket.on('connect', () => void this.onConnect());
    socket.on('disconnect', (reason) => this.onDisconnect(reason));
    socket.on('connect_error', (err: Error & { data?: unknown }) => this.onConnectError(err));
    socket.on('commands', (msg: unknown, ack: unknown) => onCommandsMessage(this.d.applier, this.d.log, msg, ack));
    socket.on('seed', (msg: unknown, ack: unknown) => {
      const answer = this.d.seeder?.onMessage(msg) ?? { ok: false, error: { code: 'bad_request', message: 'this agent takes no seed', details: null } };
      if (typeof ack === 'function') (ack as (a: SeedAck) => void)(answer);
    });
    // Every later handshake of this socket (its reconnects) uses the rotated token.
    const use = (token: string) => {
      this.token = token;
      socket.auth = this.auth();
    };
    socket.on('token.rotate', createTokenRotateHandler({ store: this.d.storeToken, use, faults: this.d.faults, log: this.d.log }));
    socket.onAny((event: unknown, ...args: unknown[]) => onUnknownMessage(this.d.log, event, args));
  }

  stop(): void {
    this.stopped = true;
    this.session++;
    this.ready = false;
    for (const t of [this.holdTimer, this.retryTimer, this.helloTimer, this.statusTimer]) if (t) clearTimeout(t);
    this.socket?.removeAllListeners();
    this.socket?.close();
    this.socket = null;
  }

  /** A new capture committed: send it soon (coalesced, so a burst of captures becomes one batch). */
  wake(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.pump();
      this.statusSoon();
    });
  }

  /**
   * A capture changed the backlog: tell central within a second, even when nothing gets acked (a refused event
   * holds the rest back), so its view of what waits here stays true. At most one status a second for captures.
   */
  private statusSoon(): void {
    if (this.statusTimer || !this.ready) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      this.emitStatus();
    }, 1000);
    this.statusTimer.unref();
  }

  getLastError(): string | null {
    return this.lastError;
  }

  // ---- connection life cycle

  private async onConnect(): Promise<void> {
    const socket = this.socket;
    if (!socket || this.stopped) return;
    const session = ++this.session;
    this.resetSession();
    this.d.log.info('connected to central', { url: this.d.enrolment.centralUrl });
    await this.sayHello(socket, session);
  }

  private async sayHello(socket: Socket, session: number): Promise<void> {
    const st = this.d.state.get();
    const offered = this.offered;
    const hello: AgentHello = {
      protocolVersion: offered,
      agentVersion: this.d.agentVersion,
      storeId: st.storeId,
      deviceId: st.deviceId,
      highestSeq: st.lastSeq,
      pendingUp: Math.max(0, st.lastSeq - st.ackedSeq),
      appliedCommandSeq: st.appliedCommandSeq,
      // Nothing of the store here yet: central sends its picture before the command stream (protocol v3). Only
      // while central holds every event of this till: a count captured here before the first connection would
      // otherwise overwrite central's figure, receipts central ordered after that count included (the stream
      // replays them in order instead). Once those events are acked, a till still without commands asks again.
      ...(offered >= SEED_PROTOCOL_VERSION && st.seedWanted && st.appliedCommandSeq === 0 && st.lastSeq === st.ackedSeq ? { seed: true } : {}),
      // From v3: the command versions this build applies; central holds any other until we are upgraded.
      ...(offered >= COMMAND_VERSIONS_PROTOCOL_VERSION ? { commandVersions: buildCommandVersions() } : {}),
    };
    let res: unknown;
    const sentAt = Date.now();
    try {
      res = await socket.timeout(this.d.settings.helloTimeoutMs).emitWithAck('hello', hello);
    } catch {
      if (session !== this.session) return;
      // Count it: an overloaded central must see this agent back later and later, not every reconnectMinMs.
      this.setError('central did not answer hello in time');
      this.errorStreak++;
      this.reconnect('hello was not answered in time', this.backoff());
      return;
    }
    if (session !== this.session) return;
    const ok = centralHelloSchema.safeParse(res);
    if (!ok.success) {
      const refused = refusalSchema.safeParse(res);
      const busyMs = refused.success ? helloRetryAfterMs(refused.data) : null;
      if (busyMs !== null) {
        // Central is pacing a crowd of agents (after its restart): keep this connection, and spread the fleet's
        // second hellos over time instead of all coming back at the same instant. Not an error.
        const delayMs = jitter(busyMs);
        this.d.log.info('central is busy; saying hello again', { delayMs });
        this.helloTimer = setTimeout(() => {
          this.helloTimer = null;
          if (session === this.session && !this.stopped) void this.sayHello(socket, session);
        }, delayMs);
        return;
      }
      const why = refused.success ? `${refused.data.error.code}: ${refused.data.error.message}` : 'central answered hello with an unknown shape';
      this.d.log.warn('hello refused', { reason: why });
      this.setError(`central refused hello (${why})`);
      this.errorStreak++;
      this.reconnect('hello refused', this.backoff());
      return;
    }
    const c = ok.data;
    // Central names the version it chose (before v3: its own, never above what it accepted from us).
    this.version = Math.min(c.protocolVersion, offered);
    this.d.state.setOffline(null);
    const skewMs = measureSkew(sentAt, Date.now(), c.serverTime);
    this.d.clock?.record(skewMs);
    const r = this.d.outbox.resync(c.storedSeq);
    this.cursor = r.ackedSeq;
    this.verifyUpTo = Math.min(c.storedSeq, r.lastSeq) > r.ackedSeq ? Math.min(c.storedSeq, r.lastSeq) : 0;
    if (this.verifyUpTo > 0) this.d.log.info('central holds seqs not acked here; resending them for an event-id check', { ackedSeq: r.ackedSeq, upTo: this.verifyUpTo });
    this.limits = {
      maxBatchEvents: Math.min(this.own.maxBatchEvents, c.limits.maxBatchEvents),
      maxBatchBytes: Math.min(this.own.maxBatchBytes, c.limits.maxBatchBytes),
      maxInFlight: Math.min(this.own.maxInFlight, c.limits.maxInFlight),
    };
    this.ready = true;
    this.errorStreak = 0;
    this.setError(null);
    this.d.log.info('hello', { storedSeq: c.storedSeq, centralVersion: c.centralVersion, protocolVersion: this.version, pendingUp: this.d.outbox.pendingCount(), limits: this.limits, skewMs });
    this.emitStatus();
    this.pump();
    this.flushReports();
  }

  /** Reports of rejected till files go out now if connected, else after the next hello. */
  flushReports(): void {
    if (this.ready) void this.d.reports?.flush(this.socket, this.d.settings.ackTimeoutMs);
  }

  private onDisconnect(reason: string): void {
    this.session++;
    this.resetSession();
    if (this.stopped) return;
    this.d.state.setOffline(this.now());
    // Central may come back upgraded: offer our highest version again.
    this.resetOffer();
    this.d.log.info('disconnected from central', { reason });
    // socket.io reconnects by itself except when the server closed the socket (e.g. token revoked) or we did.
    if (reason === 'io server disconnect') this.scheduleConnect(this.backoff());
  }

  private onConnectError(err: Error & { data?: unknown }): void {
    if (this.stopped) return;
    const code = (err.data as { code?: unknown } | undefined)?.code;
    const message = (err.data as { message?: unknown } | undefined)?.message;
    if (code === 'protocol_unsupported') return this.onVersionRefused(err.data);
    if (code === 'revoked') this.setError(REVOKED);
    else if (code === 'unauthorized') this.setError(UNKNOWN_TOKEN);
    else if (typeof code === 'string') this.setError(`central refused the connection (${code}: ${String(message ?? err.message)})`);
    const tls = typeof code === 'string' ? null : describeTlsFailure(err, this.d.enrolment.centralUrl);
    if (tls) this.setError(tls);
    else if (typeof code !== 'string') this.setError(`central unreachable: ${err.message}`);
    if (typeof code === 'string') this.d.log.warn('connection refused by central', { code, error: String(message ?? err.message) });
    else if (tls) this.d.log.error('central certificate not trusted', { error: tls });
    else this.d.log.info('central unreachable', { error: err.message });
    // A middleware refusal is final for socket.io-client: retry ourselves, slowly (a revoked PC may be re-enabled).
    if (this.socket && !this.socket.active) this.scheduleConnect(jitter(this.d.settings.authRetryMs));
  }

  /**
   * Central refused the version we offered: try the highest one both speak (central v3+ names its range; an
   * older central does not, so one version lower). Nothing left to try: an upgrade is due; said in the status.
   */
  private onVersionRefused(data: unknown): void {
    const refusal = handshakeRefusalSchema.safeParse(data);
    const next = versionAfterRefusal(this.offered, this.range, refusal.success ? refusal.data : {});
    if (next !== null) {
      this.d.log.info('central speaks an older protocol; connecting at that version', { offered: this.offered, next });
      this.offered = next;
      if (this.socket) this.socket.auth = this.auth();
      this.scheduleConnect(0);
      return;
    }
    const why = refusal.success ? refusal.data.message : 'protocol refused';
    this.setError(`no protocol version in common with central (this agent speaks v${this.range.min}..v${this.range.max}; central: ${why}): upgrade the agent or central`);
    this.d.log.warn('no protocol version in common with central', { range: this.range, central: why });
    this.resetOffer();
    this.scheduleConnect(jitter(this.d.settings.authRetryMs));
  }

  private resetOffer(): void {
    this.offered = this.range.max;
    if (this.socket) this.socket.auth = this.auth();
  }

  private resetSession(): void {
    this.ready = false;
    this.inFlight = 0;
    this.highestSent = 0;
    this.verifyUpTo = 0;
    this.hold = null;
    this.crashPending = false;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
  }

  /** Drop this connection and start over with hello after `delayMs`. */
  private reconnect(reason: string, delayMs: number): void {
    this.d.log.warn('reconnecting', { reason, delayMs });
    this.socket?.disconnect();
    this.scheduleConnect(delayMs);
  }

  private scheduleConnect(delayMs: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped && this.socket && !this.socket.connected) this.socket.connect();
    }, delayMs);
  }

  private backoff(): number {
    const { reconnectMinMs: min, reconnectMaxMs: max } = this.d.settings;
    return jitter(Math.min(max, min * 2 ** Math.min(this.errorStreak, 20)));
  }

  // ---- upstream

  private pump(): void {
    if (!this.ready || this.hold || this.stopped) return;
    const session = this.session;
    while (this.inFlight < this.limits.maxInFlight) {
      let maxEvents = this.limits.maxBatchEvents;
      if (this.verifyUpTo > 0) {
        if (this.d.outbox.ackedSeq() >= this.verifyUpTo) this.verifyUpTo = 0;
        else if (this.cursor >= this.verifyUpTo) break; // wait for central's word on the resent ones
        else maxEvents = Math.min(maxEvents, this.verifyUpTo - this.cursor);
      }
      const b = this.d.outbox.readBatch(this.cursor, maxEvents, this.limits.maxBatchBytes);
      if (!b) {
        this.noteDeleted();
        break;
      }
      this.cursor = b.firstSeq + b.count - 1;
      this.highestSent = Math.max(this.highestSent, this.cursor);
      this.inFlight++;
      void this.send(b, session);
    }
  }

  /** Say so plainly when central wants events this till no longer keeps: nothing can send them, an operator must act. */
  private noteDeleted(): void {
    const gap = this.d.outbox.deletedAfter(this.cursor);
    if (!gap) return;
    this.d.log.error('central lost events this till already deleted after its retention; they cannot be sent again', gap);
    this.setError(
      `central no longer holds seq ${gap.from}-${gap.to} (restored from an older backup?) and this till deleted them after OUTPOST_RETENTION_DAYS: they cannot be sent again, and later events wait behind them`,
    );
  }

  private async send(b: OutboxBatch, session: number): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    const pending = socket.timeout(this.d.settings.ackTimeoutMs).emitWithAck('batch', { firstSeq: b.firstSeq, count: b.count, events: b.buffer });
    this.batchesSent++;
    if (this.d.faults.crashAfterBatchSent === this.batchesSent) {
      // Let the frame reach the kernel first, so central may well store a batch whose ack we never see.
      this.crashPending = true;
      setImmediate(crashNow);
    }
    let res: unknown;
    try {
      res = await pending;
    } catch {
      if (session === this.session) this.reconnect(`no ack for batch ${b.firstSeq}..${b.firstSeq + b.count - 1}`, this.backoff());
      return;
    }
    if (this.crashPending) crashNow();
    if (session !== this.session) return;
    this.inFlight--;
    const parsed = batchAckSchema.safeParse(res);
    const last = b.firstSeq + b.count - 1;
    if (!parsed.success) {
      this.refused(b, { ok: false, error: { code: 'bad_request', message: 'central answered a batch with an unknown shape', details: null } });
    } else if (parsed.data.ok) {
      const stored = parsed.data.storedSeq;
      this.d.outbox.markAcked(stored, last);
      if (stored < last) {
        // Central kept less than we sent: resend from what it holds once the other acks are in.
        this.holdFor({ reason: 'short ack', delayMs: 0, cursor: () => this.d.outbox.resync(stored).ackedSeq });
      } else {
        this.errorStreak = 0;
        if (this.lastError) this.setError(null);
        this.statusAfterAck();
      }
    } else {
      this.refused(b, parsed.data);
    }
    this.afterAck(session);
  }

  private refused(b: OutboxBatch, r: Refusal): void {
    this.d.log.warn('batch refused', { code: r.error.code, message: r.error.message, firstSeq: b.firstSeq, count: b.count });
    const plan = planForRefusal(r, { firstSeq: b.firstSeq, count: b.count, bytes: b.buffer.length }, this.own);
    if (plan.kind === 'reconnect') return this.reconnect(plan.reason, this.backoff());
    if (plan.kind === 'renumber') return this.renumber(plan.conflictSeq, plan.storedSeq);
    if (plan.bounds) {
      this.own = { ...this.own, ...plan.bounds };
      this.limits = {
        ...this.limits,
        maxBatchEvents: Math.min(this.limits.maxBatchEvents, plan.bounds.maxBatchEvents),
        maxBatchBytes: Math.min(this.limits.maxBatchBytes, plan.bounds.maxBatchBytes),
      };
      this.d.log.info('lowered batch bounds', { ...this.limits });
    }
    if (plan.error) {
      this.setError(plan.error);
      this.errorStreak++;
    }
    const resume = plan.resumeAfter;
    this.holdFor({
      reason: r.error.code,
      delayMs: plan.delay === 'backoff' ? this.backoff() : plan.delay,
      cursor: resume === 'acked' ? () => this.d.outbox.ackedSeq() : () => this.d.outbox.resync(resume).ackedSeq,
    });
  }

  /**
   * Central holds our seq conflictSeq with another event: this data folder was restored from an older copy or
   * cloned. Renumber at once (later refusals of batches in flight are echoes of this one and are ignored while
   * the hold stands), then resend from the new acked mark once the in-flight acks are in.
   */
  private renumber(conflictSeq: number, storedSeq: number): void {
    if (this.hold) return;
    const res = this.d.outbox.renumber(conflictSeq, storedSeq, this.highestSent);
    this.verifyUpTo = 0;
    if (res) {
      this.d.log.warn('this device was restored from an older copy or cloned: central holds other events at our seqs; renumbered ours after central\'s, event ids kept', {
        conflictSeq,
        storedSeq,
        moved: res.moved,
        from: res.from,
        to: res.to,
        newFrom: res.from + res.shift,
        newTo: res.to + res.shift,
      });
    } else {
      this.d.log.warn('seq_conflict that does not fit this outbox; resending from the acked mark', { conflictSeq, storedSeq });
    }
    this.holdFor({ reason: 'seq_conflict', delayMs: res ? 0 : this.backoff(), cursor: () => this.d.outbox.ackedSeq() });
  }

  /** The first refusal decides; later refusals of batches already in flight are its echoes. */
  private holdFor(h: Hold): void {
    if (!this.hold) this.hold = h;
    else if (h.delayMs > this.hold.delayMs) this.hold = { ...this.hold, delayMs: h.delayMs };
  }

  private afterAck(session: number): void {
    if (!this.hold) return this.pump();
    if (this.inFlight > 0 || this.holdTimer) return;
    const h = this.hold;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      if (session !== this.session || this.stopped) return;
      this.hold = null;
      this.cursor = h.cursor();
      this.pump();
    }, h.delayMs);
  }

  /** The status after an ack: at once when the backlog is empty or the last one is old, else once a little later. */
  private statusAfterAck(): void {
    const wait = this.lastStatusAt + STATUS_EVERY_MS - Date.now();
    if (wait <= 0 || this.d.outbox.pendingCount() === 0) return this.emitStatus();
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = null;
      this.emitStatus();
    }, wait);
  }

  private emitStatus(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    if (!this.socket?.connected) return;
    this.lastStatusAt = Date.now();
    const clockSkewMs = this.d.clock?.view().clockSkewMs ?? null;
    const diskFreeBytes = this.d.diskFree?.() ?? null;
    const unsent = (this.version ?? 0) >= UNSENT_STATUS_PROTOCOL_VERSION ? this.d.unsent?.() : undefined;
    this.socket.emit('status', {
      pendingUp: this.d.outbox.pendingCount(),
      lastError: this.lastError?.slice(0, 1024) ?? null,
      clockSkewMs,
      diskFreeBytes,
      ...(unsent ? { unsent } : {}),
    });
  }

  private setError(msg: string | null): void {
    if (msg === this.lastError) return;
    this.lastError = msg;
    this.d.state.setLastError(msg);
    // Central's fleet table shows the agent's problem as soon as it has one.
    if (this.ready) this.emitStatus();
  }
}

/** central's "busy, retry after X" answer to hello: the X, or null for any other refusal. */
export function helloRetryAfterMs(r: Refusal): number | null {
  if (r.error.code !== 'retry_after') return null;
  const ms = (r.error.details as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === 'number' && Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}

/** Between half and one and a half times `ms`: a fleet told the same wait comes back spread out, not at once. */
export function jitter(ms: number): number {
  return Math.max(1, Math.round(ms * (0.5 + Math.random())));
}

