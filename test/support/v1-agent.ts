import { io, type Socket } from 'socket.io-client';
import { AGENT_NAMESPACE, HybridClock, uuidv7 } from '@outpost/shared';

/**
 * A store agent of protocol v1, speaking exactly what the agent sent before v2 (git 0f14d2a, the last v1 build):
 * handshake `{token, protocolVersion: 1}`; hello with the seven v1 fields; on hello.ack it adopts central's
 * storedSeq (v1 agents never resent for an event-id check); batches `{firstSeq, count, events: Buffer}`; status
 * `{pendingUp, lastError}`; commands applied in seq order, each once, acked with `{appliedSeq}`. No
 * import.rejected, no token.rotate. Its outbox and command journal live in memory: enough to show that central
 * keeps serving such a till beside current ones, not a second agent implementation.
 */
export class V1Agent {
  readonly socket: Socket;
  private readonly clock: HybridClock;
  private readonly outbox: { seq: number; envelope: Record<string, unknown> }[] = [];
  private ackedSeq = 0;
  private ready = false;
  private sending = false;
  /** Every command applied, in order, once each: a redelivered seq is skipped, as the v1 applier did. */
  readonly applied: { seq: number; type: string; schemaVersion: number; payload: unknown }[] = [];
  /** Every command message element received (redeliveries included), to show none came twice. */
  readonly received: number[] = [];
  /** What central answered to hello, each time. */
  readonly hellos: Record<string, unknown>[] = [];
  /** Messages central sent that a v1 agent does not know (it must send none). */
  readonly unknown: string[] = [];

  constructor(centralUrl: string, token: string, readonly storeId: string, readonly deviceId: string) {
    this.clock = new HybridClock(deviceId.replace(/-/g, '').slice(0, 16));
    this.socket = io(centralUrl + AGENT_NAMESPACE, { auth: { token, protocolVersion: 1 }, transports: ['websocket'], reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 1000, forceNew: true });
    this.socket.on('connect', () => void this.onConnect());
    this.socket.on('disconnect', () => {
      this.ready = false;
    });
    this.socket.on('commands', (msg: { commands: { seq: number; type: string; schemaVersion: number; payload: unknown }[] }, ack: (a: { appliedSeq: number }) => void) => {
      for (const c of [...msg.commands].sort((a, b) => a.seq - b.seq)) {
        this.received.push(c.seq);
        const at = this.appliedSeq;
        if (c.seq <= at) continue;
        if (c.seq > at + 1) break;
        this.applied.push({ seq: c.seq, type: c.type, schemaVersion: c.schemaVersion, payload: c.payload });
      }
      ack({ appliedSeq: this.appliedSeq });
    });
    this.socket.onAny((event: string) => {
      if (event !== 'commands') this.unknown.push(event);
    });
  }

  get appliedSeq(): number {
    return this.applied.at(-1)?.seq ?? 0;
  }

  get pendingUp(): number {
    return this.outbox.length - this.ackedSeq;
  }

  /** Capture a sale (sale.completed v1, the envelope of the v1 agent) and send it if connected. */
  sell(transactionId: string, amount: number): void {
    const seq = this.outbox.length + 1;
    const at = new Date();
    this.outbox.push({
      seq,
      envelope: {
        eventId: uuidv7(at.getTime()),
        storeId: this.storeId,
        deviceId: this.deviceId,
        seq,
        hlc: this.clock.tick(),
        occurredAt: at.toISOString(),
        type: 'sale.completed',
        schemaVersion: 1,
        correlationId: uuidv7(at.getTime()),
        payload: { transactionId, businessDate: at.toISOString().slice(0, 10), currency: 'EUR', lines: [{ sku: 'SKU-1', qty: 1, unitPrice: amount }], tenders: [{ method: 'cash', amount }] },
      },
    });
    void this.pump();
  }

  close(): void {
    this.socket.close();
  }

  private async onConnect(): Promise<void> {
    const hello = {
      protocolVersion: 1,
      agentVersion: '0.0.0-v1',
      storeId: this.storeId,
      deviceId: this.deviceId,
      highestSeq: this.outbox.length,
      pendingUp: this.pendingUp,
      appliedCommandSeq: this.appliedSeq,
    };
    const ack = (await this.socket.timeout(10_000).emitWithAck('hello', hello)) as Record<string, unknown> & { ok: boolean; storedSeq: number };
    this.hellos.push(ack);
    if (!ack.ok) return;
    // v1: adopt central's word on what it holds.
    this.ackedSeq = Math.min(ack.storedSeq, this.outbox.length);
    this.ready = true;
    this.socket.emit('status', { pendingUp: this.pendingUp, lastError: null });
    await this.pump();
  }

  private async pump(): Promise<void> {
    if (!this.ready || this.sending) return;
    this.sending = true;
    try {
      while (this.ready && this.ackedSeq < this.outbox.length) {
        const batch = this.outbox.slice(this.ackedSeq, this.ackedSeq + 100);
        const events = Buffer.from(JSON.stringify(batch.map((e) => e.envelope)));
        const ack = (await this.socket.timeout(20_000).emitWithAck('batch', { firstSeq: batch[0]!.seq, count: batch.length, events })) as { ok: boolean; storedSeq?: number };
        if (!ack.ok || ack.storedSeq === undefined) break;
        this.ackedSeq = Math.max(this.ackedSeq, Math.min(ack.storedSeq, this.outbox.length));
        this.socket.emit('status', { pendingUp: this.pendingUp, lastError: null });
      }
    } catch {
      // no ack (disconnected): the next hello says where central stands
    } finally {
      this.sending = false;
    }
  }
}
