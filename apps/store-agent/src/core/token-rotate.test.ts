import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { agentJsonPath, readEnrolment, storeToken } from './config.js';
import { silentLogger } from './log.js';
import { TempDirs, enrolledDir } from './testing/fixtures.js';
import { createTokenRotateHandler } from './token-rotate.js';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

function handlerFor(dataDir: string) {
  const used: string[] = [];
  const handle = createTokenRotateHandler({ store: (t) => storeToken(dataDir, t), use: (t) => used.push(t), faults: { crashAfterTokenStored: null }, log: silentLogger });
  const answer = (msg: unknown) =>
    new Promise<unknown>((resolve) => {
      handle(msg, resolve);
    });
  return { used, answer };
}

describe('token.rotate on the agent', () => {
  it('stores the token in agent.json, then switches to it, then acks', async () => {
    const dataDir = enrolledDir(dirs);
    const before = readEnrolment(dataDir);
    const h = handlerFor(dataDir);
    const token = 'rotated-0123456789abcdefghijklmnopqrstuv';
    expect(await h.answer({ token })).toEqual({ ok: true });
    expect(readEnrolment(dataDir)).toEqual({ ...before, token });
    expect(h.used).toEqual([token]);
  });

  it('a token it cannot store is refused (internal) and the agent keeps its current one', async () => {
    const dataDir = enrolledDir(dirs);
    const before = readEnrolment(dataDir);
    // The temp file's name taken by a folder: the write fails as a full or broken disk would.
    mkdirSync(`${agentJsonPath(dataDir)}.tmp`);
    const h = handlerFor(dataDir);
    expect(await h.answer({ token: 'rotated-0123456789abcdefghijklmnopqrstuv' })).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(readEnrolment(dataDir)).toEqual(before);
    expect(h.used).toEqual([]);
    expect(await h.answer({ nonsense: true })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});
