import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '@outpost/shared';
import { createAgent, type Agent } from './engine.js';
import { silentLogger } from './log.js';
import { CentralPeer } from './testing/central-peer.js';
import { TempDirs, enrolledDir, sale } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';

// The agent's side of version negotiation against a central of an older protocol (docs/protocol.md "Versions"):
// it steps down, and then speaks that version exactly (nothing of a newer one on the wire).

const dirs = new TempDirs();
const agents: Agent[] = [];
const peers: CentralPeer[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  for (const p of peers.splice(0)) await p.close();
  dirs.cleanup();
});

async function against(version: number): Promise<{ p: CentralPeer; a: Agent }> {
  const p = await CentralPeer.start();
  p.protocolVersion = version;
  peers.push(p);
  const a = createAgent({ dataDir: enrolledDir(dirs, { centralUrl: p.url }), log: silentLogger, env: { OUTPOST_RECONNECT_MIN_MS: '20', OUTPOST_RECONNECT_MAX_MS: '200', OUTPOST_AUTH_RETRY_MS: '200' } });
  agents.push(a);
  await a.start({ http: false, inbox: false });
  return { p, a };
}

describe('protocol versions, agent side', () => {
  it('a central of the current version gets the range, the command versions and the offline budget', async () => {
    const { p, a } = await against(PROTOCOL_VERSION);
    a.capture.sale(sale('T-1'));
    await waitFor(() => (a.status().online && a.status().pendingUp === 0 ? true : null), 'drained');
    expect(a.status().protocolVersion).toBe(PROTOCOL_VERSION);
    expect(p.handshakes[0]).toMatchObject({ protocolVersion: PROTOCOL_VERSION, minProtocolVersion: AGENT_MIN_PROTOCOL_VERSION });
    expect(p.hellos[0]).toHaveProperty('commandVersions');
    await waitFor(() => p.rawStatuses.some((s) => 'unsent' in s) || null, 'a status with the offline budget');
  });

  it('a central that speaks v2 only (and names no range): one refused handshake, then v2 exactly', async () => {
    const { p, a } = await against(2);
    a.capture.sale(sale('T-1'));
    await waitFor(() => (a.status().online && a.status().pendingUp === 0 ? true : null), 'drained at v2');
    expect(a.status().protocolVersion).toBe(2);
    expect(p.handshakes.map(({ token: _token, ...rest }) => rest)).toEqual([{ protocolVersion: PROTOCOL_VERSION, minProtocolVersion: AGENT_MIN_PROTOCOL_VERSION }, { protocolVersion: 2 }]);
    expect(p.hellos).toHaveLength(1);
    expect(p.hellos[0]).toMatchObject({ protocolVersion: 2 });
    expect(p.hellos[0]).not.toHaveProperty('commandVersions');
    expect(p.rawStatuses.length).toBeGreaterThan(0);
    expect(p.rawStatuses.every((s) => !('unsent' in s))).toBe(true);
    expect(p.batches.map((b) => b.firstSeq)).toEqual([1]);
  });

  it('a central older than this agent can speak: not connected, and the status says an upgrade is due', async () => {
    const { p, a } = await against(1);
    await waitFor(() => a.status().lastError?.includes('no protocol version in common') || null, 'the reason in the status');
    expect(a.status()).toMatchObject({ online: false, protocolVersion: null });
    expect(a.status().lastError).toMatch(/upgrade the agent or central/);
    expect(p.hellos).toHaveLength(0);
  });
});
