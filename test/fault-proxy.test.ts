import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js';
import { waitFor } from './support/wait.js';

// The chaos suite's fault proxy must do what it claims, or a green chaos round proves nothing: a duplicated
// message arrives twice whole (binary attachment included), a held link passes nothing and stays open, a cut
// link is noticed by both peers.

describe('fault proxy', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(): Promise<{ proxy: FaultProxy; client: Socket; got: { n: number; buf: number }[]; server: Server }> {
    const http = createServer();
    const server = new Server(http);
    const got: { n: number; buf: number }[] = [];
    server.on('connection', (s) => {
      s.on('m', (n: number, buf: Buffer, ack?: (x: number) => void) => {
        got.push({ n, buf: buf.length });
        ack?.(n);
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const port = (http.address() as { port: number }).port;
    const proxy = await startFaultProxy(port);
    const client = io(proxy.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    // The callback (not the returned promise) says the HTTP server has closed.
    cleanup.push(() => new Promise<void>((r) => void server.close(() => r())), () => proxy.close(), () => void client.close());
    await new Promise<void>((r) => client.once('connect', () => r()));
    return { proxy, client, got, server };
  }

  it('duplicate: every event delivered twice, whole, attachments included; off again: once', async () => {
    const { proxy, client, got } = await setup();
    proxy.setDuplicate(true);
    expect(await client.timeout(5000).emitWithAck('m', 1, Buffer.alloc(70_000, 1))).toBe(1);
    await waitFor(() => got.length === 2, { what: 'the repeat' });
    expect(got).toEqual([{ n: 1, buf: 70_000 }, { n: 1, buf: 70_000 }]);
    expect(proxy.duplicated).toBe(1);
    proxy.setDuplicate(false);
    expect(await client.timeout(5000).emitWithAck('m', 2, Buffer.alloc(3))).toBe(2);
    expect(got.filter((g) => g.n === 2)).toHaveLength(1);
    expect(client.connected).toBe(true);
  });

  it('hold: nothing passes and nobody is told; release: the link is cut', async () => {
    const { proxy, client, got } = await setup();
    proxy.hold();
    await expect(client.timeout(1000).emitWithAck('m', 3, Buffer.alloc(1))).rejects.toThrow();
    expect(got).toEqual([]);
    expect(client.connected).toBe(true);
    const gone = new Promise<void>((r) => client.once('disconnect', () => r()));
    proxy.release();
    await gone;
  });

  it('delay: messages arrive late but in order', async () => {
    const { proxy, client, got } = await setup();
    proxy.setDelay(200);
    const acks = await Promise.all([1, 2, 3].map((n) => client.timeout(5000).emitWithAck('m', n, Buffer.alloc(n))));
    expect(acks).toEqual([1, 2, 3]);
    expect(got.map((g) => g.n)).toEqual([1, 2, 3]);
  });
});
