// Electron's entry point (package.json "main" of the desktop build, and what `npm run desktop` launches).
// Plain JavaScript so Electron loads it as is. It registers tsx, as bin/outpost-agent.js does for the headless
// agent, so the shell and the engine run straight from the TypeScript sources with no build step, then hands
// Electron's API to main.ts. Importing `electron` here, and only here, keeps main.ts free of run-time Electron
// imports (its decisions are tested under plain Node).
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, session, Tray } from 'electron';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { runDesktop } = await import('./main.ts');
await runDesktop(
  { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, session, Tray },
  { preloadPath: fileURLToPath(new URL('./preload.cjs', import.meta.url)) },
);
