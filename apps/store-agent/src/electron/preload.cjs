// Preload of the associate window. It runs sandboxed (plain CommonJS, only a few Electron modules can be
// required here) and isolated from the page. The page is a web page served by the agent on loopback and does
// everything over the local HTTP API; the bridge only tells it that it runs in the desktop shell and offers the
// one desktop setting, start at login. No ipcRenderer, no Node: each function sends one fixed channel, and the
// main process checks that the sender is the agent's own page.
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS: require is its only import
const { contextBridge, ipcRenderer } = require('electron');

contextBridge.exposeInMainWorld(
  'outpostDesktop',
  Object.freeze({
    isDesktop: true,
    /** Resolves {appVersion, startAtLogin, dataDir}. */
    info: () => ipcRenderer.invoke('outpost:info'),
    /** Resolves the new {startAtLogin}. */
    setStartAtLogin: (enabled) => ipcRenderer.invoke('outpost:set-start-at-login', enabled === true),
  }),
);
