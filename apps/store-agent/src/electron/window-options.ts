/**
 * The associate window's options, kept apart from main.ts so a test checks the security flags without Electron.
 * The page is the agent's own UI on loopback; it talks to the local API over HTTP like any browser, so it needs
 * no Node.js at all: Node stays out of the renderer, the renderer is sandboxed, and the preload runs isolated
 * from the page's scripts and hands it only the small bridge in preload.cjs.
 */
import type { WindowOptions } from './electron-api.js';

export function windowOptions(preloadPath: string, opts: { title?: string; show?: boolean } = {}): WindowOptions {
  return {
    title: opts.title ?? 'Outpost store agent',
    width: 1200,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    // Shown once the first page has painted, so the associate never sees an empty white frame.
    show: opts.show ?? false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
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
      // A sale screen must not be stalled by the OS when the window is behind another.
      backgroundThrottling: false,
      spellcheck: false,
    },
  };
}
