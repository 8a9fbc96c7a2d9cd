import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildInfo, OUTPOST_VERSION, versionLine } from './version.js';
import { PROTOCOL_VERSION } from './protocol/version.js';

const ROOT = new URL('../../../', import.meta.url);
const versionOf = (path: string) => (JSON.parse(readFileSync(new URL(path, ROOT), 'utf8')) as { version: string }).version;

describe('the release version', () => {
  it('is one number: the root and every workspace package.json agree with what the programs report', () => {
    expect(OUTPOST_VERSION).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    for (const p of ['package.json', 'packages/shared/package.json', 'apps/central/package.json', 'apps/store-agent/package.json']) {
      expect(versionOf(p), p).toBe(OUTPOST_VERSION);
    }
  });

  it('has an entry in CHANGELOG.md', () => {
    const log = readFileSync(new URL('CHANGELOG.md', ROOT), 'utf8');
    expect(log).toContain(`## [${OUTPOST_VERSION}]`);
  });

  it('build info and the --version line name the version and the protocol', () => {
    expect(buildInfo()).toEqual({ version: OUTPOST_VERSION, protocolVersion: PROTOCOL_VERSION, minProtocolVersion: expect.any(Number), node: process.version });
    expect(versionLine('outpost-agent')).toBe(`outpost-agent ${OUTPOST_VERSION} (protocol v${PROTOCOL_VERSION}, node ${process.version})`);
  });
});
