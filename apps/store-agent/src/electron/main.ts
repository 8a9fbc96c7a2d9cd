/**
 * The desktop shell: one process that runs the agent service (engine, local API, associate UI on loopback) and
 * shows the UI in a window, with a tray icon telling the sync state. Thin on purpose: everything a store relies
 * on lives in the engine, which runs and is tested under plain Node; this file only wires Electron to it.
 *
 * Electron's API comes in as a parameter (main.mjs imports it), so nothing here imports `electron` at run time
 * and the decisions it makes (window flags, navigation, tray wording) sit in pure modules with their own tests.
 */
import { createWriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AGENT_VERSION, jsonLogger, runAgentService, type AgentService, type Env, type Logger } from '../core/index.js';
import type { ElectronApi, TrayLike, WindowLike } from './electron-api.js';
import { CHANNELS, startAtLoginArg, type DesktopInfo } from './bridge.js';
import { isAgentPage, shouldBlockNavigation, windowOpenDecision } from './navigation.js';
import { circlePng } from './tray-icon.js';
import { TRAY_COLOURS, trayState, type TrayLevel } from './tray-state.js';
import { windowOptions } from './window-options.js';

export type { ElectronApi } from './electron-api.js';

export interface DesktopOptions {
  preloadPath: string;
  env?: Env;
  argv?: string[];
  /** Quit on SIGINT/SIGTERM (a terminal's Ctrl-C under `npm run desktop`); default true. */
  handleSignals?: boolean;
}

/** Electron sets login items on macOS and Windows only; on Linux the systemd unit is the way to start at boot. */
export function loginItemSupported(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

/** Started at login (our `--hidden` argument, or macOS saying so): stay in the tray, do not pop up a window. */
export function startHidden(argv: readonly string[], wasOpenedAtLogin: boolean): boolean {
  return wasOpenedAtLogin || argv.includes('--hidden');
}

const TRAY_POLL_MS = 2000;

export async function runDesktop(electron: ElectronApi, opts: DesktopOptions): Promise<void> {
  const { app, BrowserWindow, Tray, Menu, nativeImage, ipcMain, session, dialog } = electron;
  const env = opts.env ?? process.env;
  const argv = opts.argv ?? process.argv;

  // A second start (double click on the icon again) focuses the running one: two engines on one data folder
  // would fight over the port and the SQLite file.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  let win: WindowLike | null = null;
  let tray: TrayLike | null = null;
  let service: AgentService | null = null;
  let quitting = false;
  let stopped = false;
  let shown = '';
  let timer: NodeJS.Timeout | null = null;
  let logs: { log: Logger; close(): void } | null = null;

  app.on('second-instance', () => showWindow());
  // macOS: a click on the dock icon brings the hidden window back.
  app.on('activate', () => showWindow());
  // Closing the window only hides it (see createWindow): the agent goes on capturing and forwarding.
  app.on('window-all-closed', () => {});
  app.on('before-quit', (e) => {
    quitting = true;
    if (timer) clearInterval(timer);
    if (stopped || !service) return;
    // Stop the engine cleanly (socket, HTTP, SQLite) before Electron exits.
    e.preventDefault();
    const s = service;
    service = null;
    void s.stop().finally(() => {
      stopped = true;
      logs?.close();
      app.quit();
    });
  });
  if (opts.handleSignals !== false) for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => app.quit());

  await app.whenReady();

  // Nothing in the UI needs a camera, notifications or the like: refuse every permission request.
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    const guard = (ev: { preventDefault(): void }, url: string) => {
      if (!service || shouldBlockNavigation(url, service.url)) ev.preventDefault();
    };
    contents.on('will-navigate', (ev, url) => guard(ev, url));
    contents.on('will-redirect', (ev, url) => guard(ev, url));
    contents.setWindowOpenHandler(({ url }) => {
      const d = service ? windowOpenDecision(url, service.url) : { action: 'deny' as const, loadInMain: null };
      if (d.loadInMain) void contents.loadURL(d.loadInMain);
      return { action: d.action };
    });
  });

  const dataDir = env.OUTPOST_DATA_DIR ? resolve(env.OUTPOST_DATA_DIR) : join(app.getPath('userData'), 'agent-data');
  logs = fileLogger(app.getPath('logs'));
  const { log } = logs;
  try {
    service = await runAgentService({ dataDir, env, log });
  } catch (e) {
    const msg = (e as Error).message;
    log.error('desktop: agent service did not start', { error: msg });
    dialog.showErrorBox(
      'Outpost could not start',
      `${msg}\n\nIf another Outpost agent (for example the background service) already runs on this PC, use that one, or set OUTPOST_AGENT_PORT to another port.`,
    );
    stopped = true;
    logs.close();
    app.quit();
    return;
  }

  const senderOk = (event: { senderFrame: { url: string } | null }) => !!service && !!event.senderFrame && isAgentPage(event.senderFrame.url, service.url);
  const info = (): DesktopInfo => ({ appVersion: app.getVersion() || AGENT_VERSION, startAtLogin: app.getLoginItemSettings().openAtLogin, dataDir });
  ipcMain.handle(CHANNELS.info, (event) => {
    if (!senderOk(event)) throw new Error('refused: not the agent page');
    return info();
  });
  ipcMain.handle(CHANNELS.setStartAtLogin, (event, value: unknown) => {
    const on = startAtLoginArg(value);
    if (!senderOk(event) || on === null) throw new Error('refused');
    setStartAtLogin(on);
    return { startAtLogin: app.getLoginItemSettings().openAtLogin };
  });

  tray = new Tray(trayIcon('setup'));
  const updateTray = () => {
    if (!tray || !service) return;
    const st = trayState({ enrolled: service.enrolled(), serviceError: service.lastError(), status: service.agent()?.status() ?? null });
    const key = `${st.level}|${st.label}|${st.tooltip}`;
    if (key === shown) return;
    shown = key;
    tray.setImage(trayIcon(st.level));
    tray.setToolTip(st.tooltip);
    tray.setContextMenu(trayMenu(st.label));
  };
  // onChange covers enrolment and engine start; the sync figures (online, pending) change without an event.
  service.onChange(updateTray);
  timer = setInterval(() => {
    try {
      updateTray();
    } catch (e) {
      log.warn('desktop: tray update failed', { error: String(e) });
    }
  }, TRAY_POLL_MS);
  timer.unref();
  tray.on('click', () => showWindow());
  updateTray();

  createWindow(!startHidden(argv, app.getLoginItemSettings().wasOpenedAtLogin === true));

  function trayIcon(level: TrayLevel) {
    return nativeImage.createFromBuffer(circlePng(32, TRAY_COLOURS[level]), { scaleFactor: 2 });
  }

  function trayMenu(label: string) {
    return Menu.buildFromTemplate([
      { label, enabled: false },
      { type: 'separator' },
      { label: 'Open Outpost', click: () => showWindow() },
      ...(loginItemSupported(process.platform)
        ? [{ label: 'Start at login', type: 'checkbox' as const, checked: app.getLoginItemSettings().openAtLogin, click: (item: { checked: boolean }) => setStartAtLogin(item.checked) }]
        : []),
      { type: 'separator' },
      { label: 'Quit (stops forwarding to head office)', click: () => app.quit() },
    ]);
  }

  function setStartAtLogin(on: boolean): void {
    if (!loginItemSupported(process.platform)) return;
    app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] });
    shown = ''; // the menu's checkbox follows
    updateTray();
  }

  function createWindow(show: boolean): void {
    if (!service) return;
    const w = new BrowserWindow(windowOptions(opts.preloadPath));
    win = w;
    if (show) w.once('ready-to-show', () => w.show());
    w.on('close', (e) => {
      if (quitting) return;
      e.preventDefault();
      w.hide();
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    void w.loadURL(service.url);
  }

  function showWindow(): void {
    // No window yet (still starting, or a login start on macOS firing activate early) or gone (quitting).
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }
}

/** JSON lines to `<logs>/agent.log` (a desktop app has no terminal) and to stdout when there is one. */
function fileLogger(dir: string): { log: Logger; close(): void } {
  mkdirSync(dir, { recursive: true });
  const out = createWriteStream(join(dir, 'agent.log'), { flags: 'a' });
  const log = jsonLogger((line) => {
    if (!out.writableEnded) out.write(line);
    if (process.stdout.isTTY) process.stdout.write(line);
  });
  return { log, close: () => out.end() };
}
