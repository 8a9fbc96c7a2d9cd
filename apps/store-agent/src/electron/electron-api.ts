/**
 * The slice of Electron's main-process API the shell uses, declared structurally. Why not `import type` from
 * 'electron': its typings pull in their own @types/node (a newer major than the repo's), which changes Buffer's
 * types for the whole program and breaks other packages' typecheck. main.mjs passes the real modules in.
 */

export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebPreferences {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  experimentalFeatures: boolean;
  enableBlinkFeatures: string;
  navigateOnDragDrop: boolean;
  backgroundThrottling: boolean;
  spellcheck: boolean;
}

/** A subset of BrowserWindowConstructorOptions (same names, same meaning). */
export interface WindowOptions {
  title: string;
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  autoHideMenuBar: boolean;
  webPreferences: WebPreferences;
}

export interface WebContentsLike {
  on(event: 'will-attach-webview', listener: (e: PreventableEvent) => void): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (e: PreventableEvent, url: string) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  loadURL(url: string): Promise<void>;
}

export interface WindowLike {
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'close', listener: (e: PreventableEvent) => void): void;
  on(event: 'closed', listener: () => void): void;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
}

/** nativeImage's result: opaque here, only handed back to the tray. */
export type ImageLike = object;

export interface TrayLike {
  setImage(image: ImageLike): void;
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): void;
}

export type MenuItemTemplate =
  | { type: 'separator' }
  | { label: string; enabled?: boolean; type?: 'checkbox'; checked?: boolean; click?: (item: { checked: boolean }) => void };

export interface LoginItemSettings {
  openAtLogin: boolean;
  wasOpenedAtLogin?: boolean;
}

export interface ElectronApi {
  app: {
    requestSingleInstanceLock(): boolean;
    quit(): void;
    whenReady(): Promise<unknown>;
    getPath(name: 'userData' | 'logs'): string;
    getVersion(): string;
    getLoginItemSettings(): LoginItemSettings;
    setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
    on(event: 'second-instance' | 'window-all-closed' | 'activate', listener: () => void): void;
    on(event: 'before-quit', listener: (e: PreventableEvent) => void): void;
    on(event: 'web-contents-created', listener: (e: unknown, contents: WebContentsLike) => void): void;
  };
  BrowserWindow: new (options: WindowOptions) => WindowLike;
  Tray: new (image: ImageLike) => TrayLike;
  Menu: { buildFromTemplate(template: MenuItemTemplate[]): unknown };
  nativeImage: { createFromBuffer(buffer: Buffer, options: { scaleFactor: number }): ImageLike };
  ipcMain: { handle(channel: string, listener: (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => unknown): void };
  session: {
    defaultSession: {
      setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
      setPermissionCheckHandler(handler: () => boolean): void;
    };
  };
  dialog: { showErrorBox(title: string, content: string): void };
}
