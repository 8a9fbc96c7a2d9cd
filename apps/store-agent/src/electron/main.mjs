// Electron's entry point (package.json "main" of the desktop build, and what `npm run desktop` launches).
// Plain JavaScript, copied as is by `npm run build` into dist/electron/ beside the compiled main.js, so it only
// runs from dist/ (no TypeScript compiler in the app). It hands Electron's API to main.ts: importing `electron`
// here, and only here, keeps main.ts free of run-time Electron imports (its decisions are tested under plain Node).
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, session, Tray } from 'electron';
import { fileURLToPath } from 'node:url';

process.setSourceMapsEnabled(true);
const { runDesktop } = await import('./main.js');
await runDesktop(
  { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, session, Tray },
  { preloadPath: fileURLToPath(new URL('./preload.cjs', import.meta.url)) },
);
