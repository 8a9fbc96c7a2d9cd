import { describe, expect, it } from 'vitest';
import { buildCommandVersions, COMMAND_VERSIONS_BEFORE_V3, upcastHello, upcastStatus } from './upcast.js';
import type { AgentHello } from './hello.js';

const hello: AgentHello = {
  protocolVersion: 1,
  agentVersion: '0.0.9',
  storeId: 's-1',
  deviceId: '0190f000-0000-7000-8000-000000000001',
  highestSeq: 3,
  pendingUp: 1,
  appliedCommandSeq: 2,
};

describe('upcasting at the gateway', () => {
  it('gives v1 and v2 hellos the command versions those releases knew', () => {
    expect(upcastHello(hello, 1).commandVersions).toEqual(COMMAND_VERSIONS_BEFORE_V3);
    expect(upcastHello({ ...hello, protocolVersion: 2 }, 2).commandVersions).toEqual(COMMAND_VERSIONS_BEFORE_V3);
  });
  it('keeps what a v3 agent says it can apply', () => {
    const commandVersions = { 'stock.received': [1] };
    expect(upcastHello({ ...hello, protocolVersion: 3, commandVersions }, 3).commandVersions).toEqual(commandVersions);
  });
  it('a v3 hello without commandVersions counts as the older releases', () => {
    expect(upcastHello({ ...hello, protocolVersion: 3 }, 3).commandVersions).toEqual(COMMAND_VERSIONS_BEFORE_V3);
  });
  it('this build knows at least what the releases before v3 knew', () => {
    const now = buildCommandVersions();
    for (const [type, versions] of Object.entries(COMMAND_VERSIONS_BEFORE_V3)) expect(now[type]).toEqual(expect.arrayContaining(versions));
  });
  it('drops status fields the connection version does not define', () => {
    const full = { pendingUp: 2, lastError: null, clockSkewMs: 5, diskFreeBytes: 9, unsent: { oldestAt: null, sales: 0, returns: 0, counts: 0, other: 0 } };
    expect(upcastStatus(full, 1)).toEqual({ pendingUp: 2, lastError: null });
    expect(upcastStatus(full, 2)).toEqual({ pendingUp: 2, lastError: null, clockSkewMs: 5, diskFreeBytes: 9 });
    expect(upcastStatus(full, 3)).toEqual(full);
    expect(upcastStatus({ pendingUp: 0, lastError: 'x' }, 3)).toEqual({ pendingUp: 0, lastError: 'x' });
  });
});
