import { io, type Socket } from 'socket.io-client';
import {
  AGENT_NAMESPACE,
  HybridClock,
  PROTOCOL_VERSION,
  batchAckSchema,
  centralHelloSchema,
  commandsMessageSchema,
  refusalSchema,
  uuidv7,
  type AgentHello,
} from '@outpost/shared';
import { helloRetryAfterMs, jitter } from '../../apps/store-agent/src/core/sync-client.js';

/** One enrolled device of the simulated fleet (its own store). */
export interface FleetMember {
  storeId: string;
  deviceId: string;
  token: string;
}

/** What a simulated agent saw, reported to whoever runs the fleet. */
export interface SimObserver {
  ready(storeId: string): void;
  /** Central refused the handshake with a code (unauthorized, revoked, ...): the agent will not get in. */
  refused(storeId: string, code: string): void;
  busy(storeId: string): void;
  helloTimeout(storeId: string): void;
  /** A sale central acked: milliseconds from its capture to the ack (central acks after COMMIT). */
  saleAcked(storeId: string, seq: number, ms: number): void;
  /** A command arrived (a repeat of one already applied is reported too: exactly-once is the caller's check). */
  command(storeId: string, seq: number, at: number): void;
}

interface Pending {
  seq: number;
  capturedAt: number;
  event: unknown;
}

const HELLO_TIMEOUT_MS = 15_000;
const ACK_TIMEOUT_MS = 30_000;

/**
 * A store agent reduced to its protocol: the handshake with its device token, hello (honouring "busy, retry
 * after X" with the agent's own jitter), batches of sales resent from central's storedSeq after every hello (so
 * nothing is lost or doubled across a central crash), and the command stream applied in seq order and acked.
 * It keeps its outbox in memory, so thousands fit in one process; the real agent's SQLite path is covered by
 * the other end-to-end suites.
 */
export class SimAgent {
  private socket: Socket | null = null;
  private readonly clock: HybridClock;
  private session = 0;
  private ready = false;
  private sending = false;
  private lastSeq = 0;
  private readonly outbox: Pending[] = [];
  private appliedCommandSeq = 0;
  private saleNo = 0;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly centralUrl: string,
    readonly member: FleetMember,
    private readonly obs: SimObserver,
    private readonly reconnect: { minMs: number; maxMs: number },
  ) {
    this.clock = new HybridClock(member.deviceId.replace(/-/g, '').slice(0, 16));
  }

  get online(): boolean {
    return this.ready;
  }

  start(): void {
    const s = io(this.centralUrl + AGENT_NAMESPACE, {
      auth: { token: this.member.token, protocolVersion: PROTOCOL_VERSION },
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: this.reconnect.minMs,
      reconnectionDelayMax: this.reconnect.maxMs,
      randomizationFactor: 0.5,
      forceNew: true,
    });
    this.socket = s;
    s.on('connect', () => void this.hello(++this.session));
    s.on('disconnect', (reason) => {
      this.session++;
      this.ready = false;
      this.sending = false;
      if (reason === 'io server disconnect') this.later(jitter(this.reconnect.minMs));
    });
    s.on('connect_error', (err: Error & { data?: { code?: unknown } }) => {
      const code = err.data?.code;
      if (typeof code === 'string') this.obs.refused(this.member.storeId, code);
      // A middleware answer ends socket.io's own retries; like the agent, try again later ourselves.
      if (!s.active) this.later(jitter(this.reconnect.maxMs));
    });
    s.on('commands', (msg: unknown, ack: unknown) => {
      const parsed = commandsMessageSchema.safeParse(msg);
      if (parsed.success) {
        const at = Date.now();
        for (const c of parsed.data.commands) {
          this.obs.command(this.member.storeId, c.seq, at);
          if (c.seq === this.appliedCommandSeq + 1) this.appliedCommandSeq = c.seq;
        }
      }
      if (typeof ack === 'function') (ack as (a: unknown) => void)({ appliedSeq: this.appliedCommandSeq });
    });
  }

  /** Capture one sale now; it goes out at once when connected, or after the next hello. */
  sale(): void {
    const seq = ++this.lastSeq;
    const n = ++this.saleNo;
    const now = new Date();
    this.outbox.push({
      seq,
      capturedAt: now.getTime(),
      event: {
        eventId: uuidv7(),
        storeId: this.member.storeId,
        deviceId: this.member.deviceId,
        seq,
        hlc: this.clock.tick(),
        occurredAt: now.toISOString(),
        type: 'sale.completed',
        schemaVersion: 1,
        correlationId: uuidv7(),
        payload: {
          transactionId: `FLEET-${n}`,
          businessDate: now.toISOString().slice(0, 10),
          currency: 'EUR',
          lines: [{ sku: `SKU-${n % 50}`, qty: 1, unitPrice: 250 }],
          tenders: [{ method: 'card', amount: 250 }],
        },
      },
    });
    this.pump();
  }

  /** Sales captured and not yet acked. */
  get pendingUp(): number {
    return this.outbox.length;
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.socket?.removeAllListeners();
    this.socket?.close();
  }

  private later(ms: number): void {
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.closed && this.socket && !this.socket.connected) this.socket.connect();
    }, ms);
  }

  private async hello(session: number): Promise<void> {
    const s = this.socket;
    if (!s) return;
    const h: AgentHello = {
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: 'fleet-sim',
      storeId: this.member.storeId,
      deviceId: this.member.deviceId,
      highestSeq: this.lastSeq,
      pendingUp: this.outbox.length,
      appliedCommandSeq: this.appliedCommandSeq,
    };
    let res: unknown;
    try {
      res = await s.timeout(HELLO_TIMEOUT_MS).emitWithAck('hello', h);
    } catch {
      if (session !== this.session) return;
      this.obs.helloTimeout(this.member.storeId);
      s.disconnect();
      this.later(jitter(this.reconnect.minMs));
      return;
    }
    if (session !== this.session) return;
    const ok = centralHelloSchema.safeParse(res);
    if (!ok.success) {
      const refused = refusalSchema.safeParse(res);
      const busyMs = refused.success ? helloRetryAfterMs(refused.data) : null;
      if (busyMs === null) throw new Error(`hello refused: ${JSON.stringify(res)}`);
      this.obs.busy(this.member.storeId);
      setTimeout(() => {
        if (session === this.session && !this.closed) void this.hello(session);
      }, jitter(busyMs));
      return;
    }
    // What central holds is acked; the rest goes out again (the agent's resync after hello).
    const stored = ok.data.storedSeq;
    while (this.outbox.length > 0 && this.outbox[0]!.seq <= stored) this.outbox.shift();
    this.ready = true;
    this.obs.ready(this.member.storeId);
    this.status();
    this.pump();
  }

  /** What the agent reports after hello and after every acked batch. */
  private status(): void {
    this.socket?.emit('status', { pendingUp: this.outbox.length, lastError: null, clockSkewMs: 0, diskFreeBytes: 50 * 2 ** 30 });
  }

  /** One batch in flight at a time, everything pending in it (a trickle of sales needs no more). */
  private pump(): void {
    if (!this.ready || this.sending || this.outbox.length === 0 || !this.socket) return;
    const session = this.session;
    const batch = this.outbox.slice(0, 100);
    this.sending = true;
    const buf = Buffer.from(JSON.stringify(batch.map((p) => p.event)));
    this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('batch', { firstSeq: batch[0]!.seq, count: batch.length, events: buf })
      .then(
        (res: unknown) => {
          if (session !== this.session) return;
          this.sending = false;
          const ack = batchAckSchema.safeParse(res);
          if (ack.success && ack.data.ok) {
            const now = Date.now();
            while (this.outbox.length > 0 && this.outbox[0]!.seq <= ack.data.storedSeq) {
              const p = this.outbox.shift()!;
              this.obs.saleAcked(this.member.storeId, p.seq, now - p.capturedAt);
            }
            this.status();
            this.pump();
          } else {
            // retry_after and friends: try again shortly (the real agent's refusal policy is unit-tested).
            setTimeout(() => this.pump(), jitter(250));
          }
        },
        () => {
          if (session !== this.session) return;
          this.sending = false;
          this.socket?.disconnect();
          this.later(jitter(this.reconnect.minMs));
        },
      );
  }
}
