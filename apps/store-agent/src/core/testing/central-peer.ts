import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import {
  AGENT_NAMESPACE,
  PROTOCOL_VERSION,
  agentHelloSchema,
  agentStatusSchema,
  batchSchema,
  commandsAckSchema,
  refusal,
  type AgentStatus,
  type BatchAck,
  type CentralHello,
  type RawCommand,
  type SyncLimits,
} from '@outpost/shared';

export interface ReceivedBatch {
  firstSeq: number;
  count: number;
  bytes: number;
}

/**
 * A small but real central for the sync-client tests: socket.io over loopback, speaking the shared protocol.
 * Each behaviour a test needs to provoke (lying hello, refusals, held acks) is a field the test sets.
 */
export class CentralPeer {
  readonly events: { seq: number; eventId: string }[] = [];
  storedSeq = 0;
  /** What hello reports; defaults to the real storedSeq. */
  helloStoredSeq: number | null = null;
  helloLimits: SyncLimits = { maxBatchEvents: 1000, maxBatchBytes: 1 << 20, maxInFlight: 4 };
  /** What is actually enforced on batches. */
  enforce: { maxBatchEvents: number; maxBatchBytes: number } = { maxBatchEvents: 1000, maxBatchBytes: 1 << 20 };
  readonly batches: ReceivedBatch[] = [];
  readonly refusals: BatchAck[] = [];
  readonly statuses: AgentStatus[] = [];
  readonly hellos: unknown[] = [];
  /** The token of every handshake, in order. */
  readonly handshakeTokens: string[] = [];
  /** Every handshake's auth as sent (token included). */
  readonly handshakes: Record<string, unknown>[] = [];
  /** Every status message as sent, before any parsing. */
  readonly rawStatuses: Record<string, unknown>[] = [];
  /**
   * The one protocol version this peer speaks, answering as a central of that version did before v3: any other
   * offer is refused with protocol_unsupported naming no range, and hello.ack names this version.
   */
  protocolVersion = PROTOCOL_VERSION;
  /** Test hook before the default handling: return an ack to answer with it instead. */
  intercept: ((b: ReceivedBatch, n: number) => BatchAck | null) | null = null;
  /** Hold acks until this many batches are outstanding (proves batches are pipelined). */
  holdUntilOutstanding = 0;
  maxOutstanding = 0;
  /** Added to this peer's clock in hello's serverTime: a negative value plays a central behind the agent. */
  serverTimeOffsetMs = 0;
  /** Handshake refusal for every connection, e.g. {code: 'revoked'}. */
  refuseHandshake: { code: string; message: string } | null = null;
  /** Answers for the next hellos, first come first used (e.g. a "busy, retry after X"); then the real answer. */
  readonly helloAnswers: unknown[] = [];
  /** Hellos held unanswered (a central too busy to answer at all). */
  ignoreHellos = false;
  private held: (() => void)[] = [];
  private outstanding = 0;
  private sockets = new Set<Socket>();

  private constructor(
    private readonly http: HttpServer,
    private readonly io: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<CentralPeer> {
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const peer = new CentralPeer(http, io, `http://127.0.0.1:${(http.address() as AddressInfo).port}`);
    peer.attach();
    return peer;
  }

  get connected(): number {
    return this.sockets.size;
  }

  /** Push commands to every connected agent; resolves with their acks. */
  async push(commands: RawCommand[]): Promise<{ appliedSeq: number }[]> {
    const acks = await Promise.all([...this.sockets].map((s) => s.timeout(5000).emitWithAck('commands', { commands })));
    return acks.map((a) => commandsAckSchema.parse(a));
  }

  /** Send any message (with an ack) to every connected agent; resolves with their answers. */
  async emitToAll(event: string, msg: unknown): Promise<unknown[]> {
    return Promise.all([...this.sockets].map((s) => s.timeout(5000).emitWithAck(event, msg)));
  }

  disconnectAll(): void {
    for (const s of this.sockets) s.disconnect(true);
  }

  async close(): Promise<void> {
    for (const r of this.held.splice(0)) r();
    this.io.disconnectSockets(true);
    // The callback (not the returned promise) says the HTTP server has closed.
    await new Promise<void>((r) => void this.io.close(() => r()));
    await new Promise<void>((r) => (this.http.listening ? this.http.close(() => r()) : r()));
  }

  private attach(): void {
    const ns = this.io.of(AGENT_NAMESPACE);
    ns.use((socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown; protocolVersion?: unknown };
      if (typeof auth.token === 'string') this.handshakeTokens.push(auth.token);
      this.handshakes.push({ ...(auth as Record<string, unknown>) });
      if (this.refuseHandshake) return next(Object.assign(new Error(this.refuseHandshake.message), { data: this.refuseHandshake }));
      if (typeof auth.token !== 'string') return next(Object.assign(new Error('bad auth'), { data: { code: 'unauthorized', message: 'bad auth' } }));
      if (auth.protocolVersion !== this.protocolVersion) {
        const message = `protocol v${String(auth.protocolVersion)} is not supported; central speaks v1..v${this.protocolVersion}`;
        return next(Object.assign(new Error(message), { data: { code: 'protocol_unsupported', message } }));
      }
      next();
    });
    ns.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('disconnect', () => this.sockets.delete(socket));
      socket.on('hello', (msg: unknown, ack: (a: unknown) => void) => {
        this.hellos.push(agentHelloSchema.parse(msg));
        if (this.ignoreHellos) return;
        const canned = this.helloAnswers.shift();
        if (canned !== undefined) return ack(canned);
        const h: CentralHello = {
          ok: true,
          protocolVersion: this.protocolVersion,
          centralVersion: 'peer',
          storedSeq: this.helloStoredSeq ?? this.storedSeq,
          limits: this.helloLimits,
          serverTime: Date.now() + this.serverTimeOffsetMs,
        };
        ack(h);
      });
      socket.on('status', (msg: unknown) => {
        this.rawStatuses.push({ ...(msg as Record<string, unknown>) });
        this.statuses.push(agentStatusSchema.parse(msg));
      });
      socket.on('batch', (msg: unknown, ack: (a: BatchAck) => void) => {
        const b = batchSchema.parse(msg);
        const rb = { firstSeq: b.firstSeq, count: b.count, bytes: b.events.byteLength };
        this.batches.push(rb);
        const answer = this.intercept?.(rb, this.batches.length) ?? this.handle(rb, Buffer.from(b.events));
        if (!answer.ok) this.refusals.push(answer);
        this.outstanding++;
        this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
        const send = () => {
          this.outstanding--;
          ack(answer);
        };
        if (this.holdUntilOutstanding <= 0) return send();
        this.held.push(send);
        if (this.outstanding >= this.holdUntilOutstanding) for (const r of this.held.splice(0)) r();
      });
    });
  }

  /**
   * Central's rules in miniature: no gap, bounded size; a resent seq is a duplicate only with the event id held
   * there (else seq_conflict); store the rest, then ack the highest stored seq.
   */
  private handle(b: ReceivedBatch, buf: Buffer): BatchAck {
    if (b.firstSeq > this.storedSeq + 1) return refusal('seq_gap', 'batch does not start at the expected seq', { expectedSeq: this.storedSeq + 1 });
    if (b.count > this.enforce.maxBatchEvents || b.bytes > this.enforce.maxBatchBytes) {
      return refusal('batch_too_large', `batch over ${this.enforce.maxBatchEvents} events or ${this.enforce.maxBatchBytes} bytes`, { ...this.enforce });
    }
    const list = JSON.parse(buf.toString('utf8')) as { seq: number; eventId: string }[];
    if (list.length !== b.count) return refusal('bad_request', 'count does not match events');
    let duplicates = 0;
    for (const [i, e] of list.entries()) {
      if (e.seq !== b.firstSeq + i) throw new Error(`event at ${i} has seq ${e.seq}`);
      if (e.seq > this.storedSeq) continue;
      const held = this.events.find((x) => x.seq === e.seq)?.eventId ?? null;
      if (held !== e.eventId) {
        return refusal('seq_conflict', `seq ${e.seq} is another event`, { conflictSeq: e.seq, storedSeq: this.storedSeq, eventId: e.eventId, heldEventId: held });
      }
      duplicates++;
    }
    for (const e of list.slice(duplicates)) this.events.push({ seq: e.seq, eventId: e.eventId });
    this.storedSeq = Math.max(this.storedSeq, b.firstSeq + b.count - 1);
    return { ok: true, storedSeq: this.storedSeq, stored: b.count - duplicates, duplicates, quarantined: 0 };
  }
}
