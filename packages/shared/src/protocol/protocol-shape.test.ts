import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROTOCOL_MESSAGES, PROTOCOL_HISTORY, PROTOCOL_VERSION } from './index.js';
import { COMMAND_PAYLOADS } from '../commands.js';
import { EVENT_PAYLOADS } from '../events.js';

/**
 * Fingerprints of the wire shapes, recorded per version in shapes.json. When a message changes shape, this test
 * fails until PROTOCOL_VERSION is bumped and the new fingerprint recorded under the new version (old versions
 * stay, they are history). Event and command payloads are fingerprinted per type@schemaVersion the same way:
 * a shipped schema version can never change; add a new version instead.
 * Storage bounds (bounds.ts: quantity and money ranges, no NUL or lone surrogate in strings) are refinements, not
 * shape: they narrow every version alike, because a value beyond them could never be stored whatever its version,
 * and they leave these fingerprints unchanged.
 */
function fingerprint(schema: z.ZodType): string {
  const json = JSON.stringify(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }));
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

const recorded = JSON.parse(readFileSync(new URL('./shapes.json', import.meta.url), 'utf8')) as {
  protocol: Record<string, Record<string, string>>;
  payloads: Record<string, string>;
};

function current() {
  const protocol = Object.fromEntries(Object.entries(PROTOCOL_MESSAGES).map(([k, s]) => [k, fingerprint(s as z.ZodType)]));
  const payloads: Record<string, string> = {};
  for (const table of [EVENT_PAYLOADS, COMMAND_PAYLOADS] as Record<string, Record<number, z.ZodType>>[]) {
    for (const [type, versions] of Object.entries(table)) {
      for (const [v, s] of Object.entries(versions)) payloads[`${type}@${v}`] = fingerprint(s);
    }
  }
  return { protocol, payloads };
}

describe('wire shape', () => {
  it('matches the fingerprint recorded for the current PROTOCOL_VERSION', () => {
    const rec = recorded.protocol[String(PROTOCOL_VERSION)];
    expect(rec, `no shapes recorded for protocol v${PROTOCOL_VERSION}: record ${JSON.stringify(current().protocol)}`).toBeDefined();
    expect(current().protocol, 'a protocol message changed shape: bump PROTOCOL_VERSION and record the new shape').toEqual(rec);
  });
  it('never changes a shipped event or command schema version', () => {
    const now = current().payloads;
    for (const [key, print] of Object.entries(recorded.payloads)) {
      expect(now[key], `${key} changed: add a new schemaVersion instead of editing a shipped one`).toBe(print);
    }
    expect(Object.keys(now).sort(), 'a new schema version must be recorded in shapes.json').toEqual(Object.keys(recorded.payloads).sort());
  });
  it('keeps a history entry for every version', () => {
    expect(PROTOCOL_HISTORY.map((h) => h.version)).toContain(PROTOCOL_VERSION);
    expect(Object.keys(recorded.protocol).map(Number).every((v) => PROTOCOL_HISTORY.some((h) => h.version === v))).toBe(true);
  });
});
