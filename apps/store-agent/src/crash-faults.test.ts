import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createAgent, silentLogger, type Agent } from './core/index.js';
import { CentralPeer } from './core/testing/central-peer.js';
import { TempDirs, enrolledDir, itemCommand, sale } from './core/testing/fixtures.js';
import { waitFor } from './core/testing/wait.js';

const BIN = fileURLToPath(new URL('../bin/outpost-agent.js', import.meta.url));
const dirs = new TempDirs();
const peers: CentralPeer[] = [];
const children: ChildProcess[] = [];
const agents: Agent[] = [];

function startProcess(dataDir: string, fault: string): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--port', '0'], {
    stdio: 'ignore',
    env: { ...process.env, OUTPOST_FAULT: fault, OUTPOST_BATCH_EVENTS: '2', OUTPOST_MAX_IN_FLIGHT: '1', OUTPOST_RECONNECT_MIN_MS: '20' },
  });
  children.push(child);
  return new Promise((r) => child.on('exit', (_code, signal) => r(signal)));
}
function reopen(dataDir: string): Agent {
  const a = createAgent({ dataDir, log: silentLogger, env: {} });
  agents.push(a);
  return a;
}
const cmd = (seq: number) => itemCommand(seq);

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const a of agents.splice(0)) await a.stop();
  for (const p of peers.splice(0)) await p.close();
  dirs.cleanup();
});

describe('crash faults (kill -9 of a real agent process)', () => {
  it('agent.crashAfterBatchSent=N dies right after the N-th batch; nothing captured is lost', async () => {
    const peer = await CentralPeer.start();
    peers.push(peer);
    const dir = enrolledDir(dirs, { centralUrl: peer.url });
    const seed = reopen(dir);
    for (let i = 0; i < 10; i++) seed.capture.sale(sale(`T-${i}`));
    await agents.pop()!.stop();

    const signal = await startProcess(dir, 'agent.crashAfterBatchSent=3');
    expect(signal).toBe('SIGKILL');
    expect(peer.batches.length).toBeLessThanOrEqual(3);
    const after = reopen(dir);
    // Batch 3's ack was never handled: at most two batches (4 events) are marked forwarded.
    expect(after.status().lastAckedSeq).toBeLessThanOrEqual(4);
    expect(after.status().pendingUp + after.status().lastAckedSeq).toBe(10);
  }, 60_000);

  it('agent.crashAfterCommandApplied=N dies after committing command N, before acking it', async () => {
    const peer = await CentralPeer.start();
    peers.push(peer);
    const dir = enrolledDir(dirs, { centralUrl: peer.url });
    const exited = startProcess(dir, 'agent.crashAfterCommandApplied=2');
    await waitFor(() => peer.hellos.length > 0, 'the agent to say hello', 30_000);
    const ack = peer.push([cmd(1), cmd(2), cmd(3)]).then(
      () => 'acked',
      () => 'no ack',
    );
    expect(await exited).toBe('SIGKILL');
    expect(await ack).toBe('no ack');
    const after = reopen(dir);
    expect(after.status().appliedCommandSeq).toBe(2);
    expect(after.db.sqlite.prepare('SELECT seq FROM applied_commands ORDER BY applied_order').pluck().all()).toEqual([1, 2]);
  }, 60_000);
});
