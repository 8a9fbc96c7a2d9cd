import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenOnLoopback } from './ports.js';

/**
 * A loopback TCP proxy between an agent and central that misbehaves on demand, the way real store links do:
 * - `cut()`: every live connection dropped on both sides (a router reboot);
 * - `setDelay(ms)`: every chunk held back `ms` (a congested uplink), order kept;
 * - `hold()` … `release()`: connections stay open but nothing passes either way (a half-open link: no FIN, no
 *   RST, the peers only notice through their own heartbeats); `release` then cuts what it held;
 * - `setDuplicate(true)`: every socket.io event the agent sends (a websocket message with its binary
 *   attachments) is delivered twice, so central must treat a repeated batch as the same batch.
 */
export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  cut(): void;
  setDelay(ms: number): void;
  hold(): void;
  release(): void;
  setDuplicate(on: boolean): void;
  /** Messages delivered twice so far. */
  readonly duplicated: number;
  close(): Promise<void>;
}

interface Frame {
  bytes: Buffer;
  opcode: number;
  fin: boolean;
  rsv1: boolean;
  /** First bytes of the unmasked payload (enough to read a socket.io packet header). */
  head: string;
}

/** Split complete websocket frames off the front of `buf`; returns them and what is left. */
export function splitFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let off = 0;
  for (;;) {
    if (buf.length - off < 2) break;
    const b0 = buf[off]!;
    const b1 = buf[off + 1]!;
    let len = b1 & 0x7f;
    let p = off + 2;
    if (len === 126) {
      if (buf.length - off < 4) break;
      len = buf.readUInt16BE(off + 2);
      p = off + 4;
    } else if (len === 127) {
      if (buf.length - off < 10) break;
      len = Number(buf.readBigUInt64BE(off + 2));
      p = off + 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const mask = masked ? buf.subarray(p, p + 4) : null;
    if (masked) p += 4;
    if (buf.length < p + len) break;
    const n = Math.min(len, 12);
    const head = Buffer.alloc(n);
    for (let i = 0; i < n; i++) head[i] = buf[p + i]! ^ (mask ? mask[i % 4]! : 0);
    frames.push({ bytes: buf.subarray(off, p + len), opcode: b0 & 0x0f, fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, head: head.toString('latin1') });
    off = p + len;
  }
  return { frames, rest: buf.subarray(off) };
}

/**
 * Groups client→server websocket frames into whole socket.io messages: an event text frame ("42…"), or a binary
 * event ("45<n>-…") followed by its n attachment frames. Only whole event messages are ever repeated.
 */
class MessageGrouper {
  private pending: Buffer = Buffer.alloc(0);
  private group: Buffer[] = [];
  private awaiting = 0;
  private groupIsEvent = false;
  /** Fragmented or compressed frames: give up reading and pass bytes through untouched. */
  private opaque = false;

  constructor(private readonly emit: (bytes: Buffer, isEvent: boolean) => void) {}

  push(chunk: Buffer): void {
    if (this.opaque) return this.emit(chunk, false);
    const { frames, rest } = splitFrames(Buffer.concat([this.pending, chunk]));
    this.pending = Buffer.from(rest);
    for (const f of frames) {
      if (!f.fin || f.rsv1 || f.opcode === 0) {
        this.opaque = true;
        const left = Buffer.concat([...this.group, f.bytes]);
        this.group = [];
        this.emit(left, false);
        continue;
      }
      if (this.opaque) {
        this.emit(f.bytes, false);
        continue;
      }
      if (this.awaiting > 0) {
        this.group.push(f.bytes);
        if (--this.awaiting === 0) this.flush();
        continue;
      }
      const bin = /^45(\d+)-/.exec(f.head);
      this.group = [f.bytes];
      this.groupIsEvent = f.opcode === 1 && (f.head.startsWith('42') || bin !== null);
      this.awaiting = bin ? Number(bin[1]) : 0;
      if (this.awaiting === 0) this.flush();
    }
    if (this.opaque && this.pending.length > 0) {
      const p = this.pending;
      this.pending = Buffer.alloc(0);
      this.emit(p, false);
    }
  }

  private flush(): void {
    const bytes = Buffer.concat(this.group);
    this.group = [];
    this.emit(bytes, this.groupIsEvent);
  }
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let delayMs = 0;
  let held = false;
  let duplicate = false;
  let duplicated = 0;
  const live = new Set<Socket>();
  const heldSockets = new Set<Socket>();

  /** One direction of one connection: in-order delivery with optional delay. */
  const lane = (to: Socket) => {
    let last = 0;
    return (bytes: Buffer) => {
      if (held) return; // a half-open link: the bytes vanish, nobody is told
      if (delayMs <= 0 && last <= Date.now()) {
        to.write(bytes);
        return;
      }
      const at = Math.max(last, Date.now() + delayMs);
      last = at;
      setTimeout(() => {
        if (!to.destroyed) to.write(bytes);
      }, at - Date.now());
    };
  };

  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      live.add(s);
      if (held) heldSockets.add(s);
    }
    const drop = () => {
      client.destroy();
      upstream.destroy();
      for (const s of [client, upstream]) {
        live.delete(s);
        heldSockets.delete(s);
      }
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);

    const toUpstream = lane(upstream);
    const toClient = lane(client);
    upstream.on('data', (c: Buffer) => toClient(c));
    // Until the HTTP upgrade request has passed, bytes are HTTP; after it, websocket frames (or HTTP polling,
    // which never upgrades: those bytes are passed through as they come).
    let http = Buffer.alloc(0);
    let grouper: MessageGrouper | null = null;
    let plainHttp = false;
    client.on('data', (c: Buffer) => {
      if (grouper) return grouper.push(c);
      if (plainHttp) return toUpstream(c);
      http = Buffer.concat([http, c]);
      const end = http.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = http.subarray(0, end + 4);
      const rest = http.subarray(end + 4);
      toUpstream(head);
      if (!/^upgrade:\s*websocket/im.test(head.toString('latin1'))) {
        plainHttp = true;
        if (rest.length) toUpstream(rest);
        return;
      }
      grouper = new MessageGrouper((bytes, isEvent) => {
        toUpstream(bytes);
        if (isEvent && duplicate) {
          duplicated++;
          toUpstream(bytes);
        }
      });
      if (rest.length) grouper.push(rest);
    });
  });

  const port = await listenOnLoopback(server);

  const cutAll = () => {
    for (const s of live) s.destroy();
    live.clear();
    heldSockets.clear();
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get duplicated() {
      return duplicated;
    },
    cut: cutAll,
    setDelay(ms) {
      delayMs = ms;
    },
    hold() {
      held = true;
      for (const s of live) heldSockets.add(s);
    },
    release() {
      held = false;
      // What was held is dead to both peers: drop it so each side reconnects on a fresh connection.
      for (const s of heldSockets) s.destroy();
      heldSockets.clear();
    },
    setDuplicate(on) {
      duplicate = on;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
