/**
 * The desktop shell's decisions, checked under plain Node: no Electron binary is needed (CI has none). These
 * modules are what main.ts feeds to Electron; importing main.ts itself here also proves it has no run-time
 * `electron` import (only main.mjs and the preload have one).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BRIDGE_GLOBAL, BRIDGE_KEYS, CHANNELS, startAtLoginArg } from './bridge.js';
import { loginItemSupported, startHidden } from './main.js';
import { isAgentPage, isLoopbackUrl, shouldBlockNavigation, windowOpenDecision } from './navigation.js';
import { circlePng } from './tray-icon.js';
import { TRAY_COLOURS, trayState } from './tray-state.js';
import { windowOptions } from './window-options.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PRELOAD = join(HERE, 'preload.cjs');

describe('associate window options', () => {
  it('keeps Node out of the page: context isolation, sandbox, no node integration anywhere, web security on', () => {
    const o = windowOptions(PRELOAD);
    expect(o.webPreferences).toEqual({
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      navigateOnDragDrop: false,
      backgroundThrottling: false,
      spellcheck: false,
    });
    expect(isAbsolute(o.webPreferences.preload)).toBe(true);
    expect(o.show).toBe(false); // shown on ready-to-show, not as an empty frame
  });
});

describe('preload bridge', () => {
  /** Runs the real preload.cjs with a recording contextBridge: what would the page get? */
  function loadPreload() {
    const exposed: { name: string; api: Record<string, unknown> }[] = [];
    const invoked: unknown[][] = [];
    const required: string[] = [];
    const ipcRenderer = {
      invoke: (...args: unknown[]) => {
        invoked.push(args);
        return Promise.resolve('answer');
      },
      send: () => {
        throw new Error('the bridge must not send');
      },
      on: () => {
        throw new Error('the bridge must not listen');
      },
    };
    const requireFn = (id: string) => {
      required.push(id);
      if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
      return { contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => exposed.push({ name, api }) }, ipcRenderer };
    };
    runInNewContext(readFileSync(PRELOAD, 'utf8'), { require: requireFn, module: { exports: {} }, exports: {} }, { filename: PRELOAD });
    return { exposed, invoked, required, ipcRenderer };
  }

  it('exposes one frozen object with only isDesktop, info and setStartAtLogin', () => {
    const { exposed, required, ipcRenderer } = loadPreload();
    expect(required).toEqual(['electron']);
    expect(exposed).toHaveLength(1);
    const [{ name, api }] = exposed as [{ name: string; api: Record<string, unknown> }];
    expect(name).toBe(BRIDGE_GLOBAL);
    expect(Object.keys(api).sort()).toEqual([...BRIDGE_KEYS].sort());
    expect(Object.isFrozen(api)).toBe(true);
    expect(api.isDesktop).toBe(true);
    expect(typeof api.info).toBe('function');
    expect(typeof api.setStartAtLogin).toBe('function');
    expect(Object.values(api)).not.toContain(ipcRenderer);
  });

  it('each function invokes its one fixed channel; setStartAtLogin sends a boolean whatever the page passes', async () => {
    const { exposed, invoked } = loadPreload();
    const api = exposed[0]!.api as { info: () => Promise<unknown>; setStartAtLogin: (v: unknown) => Promise<unknown> };
    await api.info();
    await api.setStartAtLogin(true);
    await api.setStartAtLogin('yes please');
    await api.setStartAtLogin({ toString: () => 'true' });
    expect(invoked).toEqual([[CHANNELS.info], [CHANNELS.setStartAtLogin, true], [CHANNELS.setStartAtLogin, false], [CHANNELS.setStartAtLogin, false]]);
    expect(new Set(invoked.map((c) => c[0]))).toEqual(new Set(Object.values(CHANNELS)));
    // The main process takes only real booleans too.
    expect([startAtLoginArg(true), startAtLoginArg(false), startAtLoginArg('true'), startAtLoginArg(1)]).toEqual([true, false, null, null]);
  });

  it('only main.mjs and the preload import electron; the rest of the shell runs under plain Node', () => {
    const importers = readdirSync(HERE)
      .filter((f) => /\.(ts|mjs|cjs)$/.test(f) && !f.endsWith('.test.ts'))
      .filter((f) => /(from\s+'electron'|require\('electron'\))/.test(readFileSync(join(HERE, f), 'utf8')));
    expect(importers.sort()).toEqual(['main.mjs', 'preload.cjs']);
  });
});

describe('navigation and new windows', () => {
  const agent = 'http://127.0.0.1:8090';

  it('the window shows the agent pages only: same scheme, loopback host and port', () => {
    expect(isAgentPage('http://127.0.0.1:8090/', agent)).toBe(true);
    expect(isAgentPage('http://127.0.0.1:8090/picks?x=1#top', agent)).toBe(true);
    for (const url of [
      'http://127.0.0.1:8091/',
      'https://127.0.0.1:8090/',
      'http://localhost:8090/', // another origin, even if it is the same server: cookies and storage differ
      'http://example.com/',
      'http://127.0.0.1.evil.example:8090/',
      'http://127.0.0.1:8090@evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'not a url',
    ]) {
      expect(isAgentPage(url, agent), url).toBe(false);
      expect(shouldBlockNavigation(url, agent), url).toBe(true);
    }
    expect(shouldBlockNavigation('http://127.0.0.1:8090/stock', agent)).toBe(false);
    // An agent configured off loopback never makes its pages trusted by the shell.
    expect(isAgentPage('http://10.0.0.5:8090/', 'http://10.0.0.5:8090')).toBe(false);
    expect(isAgentPage('http://[::1]:8090/', 'http://[::1]:8090')).toBe(true);
  });

  it('knows loopback URLs', () => {
    expect(['http://127.0.0.1/', 'http://127.1.2.3:9/', 'http://localhost:1/', 'https://[::1]/'].every(isLoopbackUrl)).toBe(true);
    expect(['http://128.0.0.1/', 'http://localhost.example/', 'ftp://127.0.0.1/', 'http://0.0.0.0/'].some(isLoopbackUrl)).toBe(false);
  });

  it('never opens a second window; an agent link opens in the main window, anything else nowhere', () => {
    expect(windowOpenDecision('http://127.0.0.1:8090/picks', agent)).toEqual({ action: 'deny', loadInMain: 'http://127.0.0.1:8090/picks' });
    expect(windowOpenDecision('https://vendor.example/help', agent)).toEqual({ action: 'deny', loadInMain: null });
  });
});

describe('tray', () => {
  const status = { online: true, pendingUp: 0, pendingPicks: 0, lastSyncAt: '2026-11-23T10:00:00.000Z', lastError: null };

  it('says in words and colour whether the store is in sync; offline is not an error', () => {
    expect(trayState({ enrolled: false, serviceError: null, status: null })).toMatchObject({ level: 'setup', label: 'Not enrolled: open Outpost to enrol this PC' });
    expect(trayState({ enrolled: true, serviceError: null, status: null })).toMatchObject({ level: 'setup', label: 'Starting…' });
    expect(trayState({ enrolled: true, serviceError: 'EADDRINUSE', status: null })).toMatchObject({ level: 'error', label: 'Agent stopped: EADDRINUSE' });
    expect(trayState({ enrolled: true, serviceError: null, status })).toEqual({ level: 'ok', label: 'In sync', tooltip: 'Outpost\nIn sync\nlast sync 2026-11-23T10:00:00.000Z' });
    expect(trayState({ enrolled: true, serviceError: null, status: { ...status, pendingUp: 1 } })).toMatchObject({ level: 'syncing', label: 'Sending 1 event' });
    expect(trayState({ enrolled: true, serviceError: null, status: { ...status, online: false, pendingUp: 12, pendingPicks: 2, lastError: 'ECONNREFUSED' } })).toEqual({
      level: 'offline',
      label: 'Offline: 12 events waiting, safe on this PC',
      tooltip: 'Outpost\nOffline: 12 events waiting, safe on this PC\n2 orders to pick\nlast sync 2026-11-23T10:00:00.000Z\nlast problem: ECONNREFUSED',
    });
    expect(new Set(Object.values(TRAY_COLOURS).map((c) => c.join()))).toHaveLength(5);
  });

  it('draws its icon as a valid PNG: a disc of the state colour on a transparent ground', () => {
    const png = circlePng(32, TRAY_COLOURS.offline);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([32, 32, 8, 6]);
    const idatLen = png.readUInt32BE(33);
    expect(png.toString('ascii', 37, 41)).toBe('IDAT');
    const rows = inflateSync(png.subarray(41, 41 + idatLen));
    const px = (x: number, y: number) => [...rows.subarray(y * (1 + 32 * 4) + 1 + x * 4, y * (1 + 32 * 4) + 1 + x * 4 + 4)];
    expect(px(16, 16)).toEqual([...TRAY_COLOURS.offline, 255]);
    expect(px(0, 0)[3]).toBe(0);
    expect(png.toString('ascii', png.length - 8, png.length - 4)).toBe('IEND');
  });
});

describe('start at login', () => {
  it('is offered where Electron supports login items, and a login start stays in the tray', () => {
    expect(['darwin', 'win32', 'linux'].map((p) => loginItemSupported(p as NodeJS.Platform))).toEqual([true, true, false]);
    expect(startHidden(['electron', 'main.mjs', '--hidden'], false)).toBe(true);
    expect(startHidden(['electron', 'main.mjs'], true)).toBe(true);
    expect(startHidden(['electron', 'main.mjs'], false)).toBe(false);
  });
});
