import { io, type Socket } from 'socket.io-client';
import {
  AGENT_NAMESPACE,
  HybridClock,
  PROTOCOL_VERSION,
  uuidv7,
  type AgentHello,
  type BatchAck,
  type CentralHello,
  type Refusal,
} from '@outpost/shared';

/**
 * A hand-driven protocol peer for the tests that must send what a correct agent never would (another store's
 * events, an oversize batch). It speaks to the real central over a real socket.io connection.
 */
export class RawAgent {
  readonly socket: Socket;
  private readonly clock: HybridClock;
  constructor(
    centralUrl: string,
    token: string,
    readonly storeId: string,
    readonly deviceId: string,
    /** The one protocol version its handshake and hello name (an older agent's, for tests of upcasting). */
    readonly protocolVersion: number = PROTOCOL_VERSION,
  ) {
    this.socket = io(centralUrl + AGENT_NAMESPACE, {
      auth: { token, protocolVersion },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.clock = new HybridClock(deviceId.replace(/-/g, '').slice(0, 16));
  }

  /** Resolves on connect; rejects with the refusal data (`{code, message}`) on connect_error. */
  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (err: Error & { data?: unknown }) => reject(Object.assign(err, { data: err.data })));
    });
  }

  hello(over: Partial<AgentHello> = {}): Promise<CentralHello | Refusal> {
    const h: AgentHello = {
      protocolVersion: this.protocolVersion,
      agentVersion: 'raw-test',
      storeId: this.storeId,
      deviceId: this.deviceId,
      highestSeq: 0,
      pendingUp: 0,
      appliedCommandSeq: 0,
      ...over,
    };
    return this.socket.timeout(10_000).emitWithAck('hello', h);
  }

  sale(seq: number, over: { storeId?: string; deviceId?: string; payload?: unknown } = {}) {
    return {
      eventId: uuidv7(),
      storeId: over.storeId ?? this.storeId,
      deviceId: over.deviceId ?? this.deviceId,
      seq,
      hlc: this.clock.tick(),
      occurredAt: new Date().toISOString(),
      type: 'sale.completed',
      schemaVersion: 1,
      correlationId: uuidv7(),
      payload: over.payload ?? {
        transactionId: `RAW-${seq}`,
        businessDate: '2026-11-23',
        currency: 'EUR',
        lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 100 }],
        tenders: [{ method: 'cash', amount: 100 }],
      },
    };
  }

  batch(firstSeq: number, events: unknown[] | Buffer, count?: number): Promise<BatchAck> {
    const buf = Buffer.isBuffer(events) ? events : Buffer.from(JSON.stringify(events));
    const n = count ?? (Array.isArray(events) ? events.length : 1);
    return this.socket.timeout(20_000).emitWithAck('batch', { firstSeq, count: n, events: buf });
  }

  close(): void {
    this.socket.close();
  }
}
