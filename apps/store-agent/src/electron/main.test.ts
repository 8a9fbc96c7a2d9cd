/**
 * main.ts's wiring, without the Electron binary (CI cannot download it): Electron's API is replaced by a
 * recording stand-in (it stores what the shell asks of it and lets the test fire its events), while everything
 * under it is real: the agent service, its engine on a real SQLite file, the local HTTP API on loopback. What
 * this proves: the window loads the running agent's UI with the security flags, closing the window leaves the
 * agent running, the navigation and IPC guards are wired to the agent's own origin, quitting stops the engine,
 * and a second instance starts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enrolledDir, TempDirs } from '../core/testing/fixtures.js';
import { waitFor } from '../core/testing/wait.js';
import type { ElectronApi, MenuItemTemplate, PreventableEvent, WindowOptions } from './electron-api.js';
import { CHANNELS } from './bridge.js';
import { runDesktop } from './main.js';

type Listener = (...args: unknown[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, l: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
  }
  once(event: string, l: Listener) {
    this.on(event, l);
  }
  emit(event: string, ...args: unknown[]) {
    for (const l of this.listeners.get(event) ?? []) l(...args);
  }
}

function preventable(): PreventableEvent & { prevented: boolean } {
  return {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

/** The recording stand-in: records calls, lets the test fire app, window and web-contents events. */
function recordingElectron(opts: { lock?: boolean; logs: string }) {
  const rec = {
    quitCalls: 0,
    windows: [] as (Emitter & { options: WindowOptions; loaded: { url: string; status: number }[]; calls: string[] })[],
    trays: [] as { tooltip: string; menu: MenuItemTemplate[]; images: number }[],
    handlers: new Map<string, Listener>(),
    errors: [] as string[],
    loginItem: { openAtLogin: false },
  };
  const app = new Emitter();
  const api = {
    app: Object.assign(app, {
      requestSingleInstanceLock: () => opts.lock !== false,
      quit: () => {
        rec.quitCalls++;
        const e = preventable();
        app.emit('before-quit', e);
      },
      whenReady: () => Promise.resolve(),
      getPath: (name: string) => join(opts.logs, name),
      getVersion: () => '9.9.9',
      getLoginItemSettings: () => ({ ...rec.loginItem, wasOpenedAtLogin: false }),
      setLoginItemSettings: (s: { openAtLogin: boolean }) => {
        rec.loginItem.openAtLogin = s.openAtLogin;
      },
    }),
    BrowserWindow: class extends Emitter {
      readonly loaded: { url: string; status: number }[] = [];
      readonly calls: string[] = [];
      constructor(readonly options: WindowOptions) {
        super();
        rec.windows.push(this);
      }
      async loadURL(url: string) {
        // Load it as the window would: an HTTP GET of the agent's page.
        const r = await fetch(url);
        this.loaded.push({ url, status: r.status });
      }
      show = () => this.calls.push('show');
      hide = () => this.calls.push('hide');
      focus = () => this.calls.push('focus');
      isMinimized = () => false;
      restore = () => this.calls.push('restore');
    },
    Tray: class extends Emitter {
      readonly state = { tooltip: '', menu: [] as MenuItemTemplate[], images: 1 };
      constructor() {
        super();
        rec.trays.push(this.state);
      }
      setImage = () => void this.state.images++;
      setToolTip = (t: string) => void (this.state.tooltip = t);
      setContextMenu = (m: unknown) => void (this.state.menu = m as MenuItemTemplate[]);
    },
    Menu: { buildFromTemplate: (t: MenuItemTemplate[]) => t },
    nativeImage: { createFromBuffer: (b: Buffer) => ({ bytes: b.length }) },
    ipcMain: { handle: (channel: string, l: Listener) => void rec.handlers.set(channel, l) },
    session: { defaultSession: { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {} } },
    dialog: { showErrorBox: (title: string, content: string) => void rec.errors.push(`${title}: ${content}`) },
  };
  return { api: api as unknown as ElectronApi, app, rec };
}

const dirs = new TempDirs();
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  dirs.cleanup();
});

async function start(lock = true) {
  const dataDir = enrolledDir(dirs);
  const logs = mkdtempSync(join(tmpdir(), 'outpost-desktop-logs-'));
  const { api, app, rec } = recordingElectron({ lock, logs });
  cleanups.push(() => rmSync(logs, { recursive: true, force: true }));
  await runDesktop(api, {
    preloadPath: '/app/preload.cjs',
    env: { OUTPOST_DATA_DIR: dataDir, OUTPOST_AGENT_PORT: '0', OUTPOST_RECONNECT_MIN_MS: '1000' },
    argv: ['electron', 'main.mjs'],
    handleSignals: false,
  });
  // However the test ends, quit the shell so the engine stops (quit is idempotent).
  cleanups.push(async () => {
    api.app.quit();
    await waitFor(() => rec.quitCalls >= 2 || rec.windows.length === 0, 'the shell to quit');
  });
  return { app, rec, dataDir };
}

describe('desktop shell wiring (Electron API stand-in, real agent service)', () => {
  it('opens the running agent UI in a hardened window; closing it hides it and the agent keeps running', async () => {
    const { rec } = await start();
    expect(rec.windows).toHaveLength(1);
    const win = rec.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({ preload: '/app/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false });
    await waitFor(() => win.loaded.length === 1, 'the window to load the UI');
    const url = win.loaded[0]!.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(win.loaded[0]!.status).toBe(200);
    win.emit('ready-to-show');
    expect(win.calls).toEqual(['show']);

    const close = preventable();
    win.emit('close', close);
    expect(close.prevented).toBe(true);
    expect(win.calls).toEqual(['show', 'hide']);
    // Still capturing after the window went away.
    const sale = await fetch(`${url}/api/v1/sales`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transactionId: 'T-1', lines: [{ sku: 'A', qty: 1, unitPrice: 100 }], tenders: [{ method: 'cash', amount: 100 }] }),
    });
    expect(sale.status).toBe(201);

    // The tray tells the state in words: central (127.0.0.1:9) is unreachable, the sale waits on this PC.
    await waitFor(() => rec.trays[0]?.tooltip.includes('1 event waiting'), 'the tray to show the waiting sale', 10_000);
    expect(rec.trays[0]!.menu[0]).toEqual({ label: 'Offline: 1 event waiting, safe on this PC', enabled: false });
  });

  it('wires the navigation, new-window and IPC guards to the agent origin only', async () => {
    const { app, rec } = await start();
    const win = rec.windows[0]!;
    await waitFor(() => win.loaded.length === 1, 'the window to load the UI');
    const origin = win.loaded[0]!.url;

    const contents = Object.assign(new Emitter(), { openHandler: null as null | ((d: { url: string }) => { action: string }), loadURL: async () => {} });
    const setWindowOpenHandler = (h: (d: { url: string }) => { action: string }) => void (contents.openHandler = h);
    app.emit('web-contents-created', {}, Object.assign(contents, { setWindowOpenHandler }));
    const nav = (url: string) => {
      const e = preventable();
      contents.emit('will-navigate', e, url);
      return e.prevented;
    };
    expect(nav(`${origin}/picks`)).toBe(false);
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    const webview = preventable();
    contents.emit('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: `${origin}/stock` })).toEqual({ action: 'deny' });

    const info = rec.handlers.get(CHANNELS.info)!;
    expect(await info({ senderFrame: { url: `${origin}/` } })).toMatchObject({ appVersion: '9.9.9', startAtLogin: false });
    expect(() => info({ senderFrame: { url: 'https://evil.example/' } })).toThrow(/refused/);
    expect(() => info({ senderFrame: null })).toThrow(/refused/);
    const setLogin = rec.handlers.get(CHANNELS.setStartAtLogin)!;
    expect(() => setLogin({ senderFrame: { url: `${origin}/` } }, 'true')).toThrow(/refused/);
  });

  it('a second start focuses the first; quitting stops the engine and frees its port', async () => {
    const { app, rec } = await start();
    const win = rec.windows[0]!;
    await waitFor(() => win.loaded.length === 1, 'the window to load the UI');
    const url = win.loaded[0]!.url;
    app.emit('second-instance');
    expect(win.calls).toEqual(['show', 'focus']);

    const quit = preventable();
    app.emit('before-quit', quit);
    expect(quit.prevented).toBe(true); // held until the engine has stopped
    await waitFor(() => rec.quitCalls === 1, 'the shell to quit once the engine stopped');
    await expect(fetch(`${url}/api/v1/status`)).rejects.toThrow();
    const closing = preventable();
    win.emit('close', closing);
    expect(closing.prevented).toBe(false); // quitting: the window really closes
  });

  it('a second instance starts nothing and quits', async () => {
    const { rec } = await start(false);
    expect(rec.quitCalls).toBeGreaterThanOrEqual(1);
    expect(rec.windows).toHaveLength(0);
    expect(rec.handlers.size).toBe(0);
  });
});
