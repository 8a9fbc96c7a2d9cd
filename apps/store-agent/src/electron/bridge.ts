/**
 * The desktop bridge as the main process sees it: the channel names preload.cjs may invoke and the checks on
 * their arguments. preload.cjs cannot import this (a sandboxed preload is one plain script), so the test
 * checks the two agree.
 */
export const BRIDGE_GLOBAL = 'outpostDesktop';

export const CHANNELS = {
  info: 'outpost:info',
  setStartAtLogin: 'outpost:set-start-at-login',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

export const BRIDGE_KEYS = ['isDesktop', 'info', 'setStartAtLogin'] as const;

export interface DesktopInfo {
  appVersion: string;
  startAtLogin: boolean;
  dataDir: string;
}

/** The start-at-login argument: only a real boolean switches it (the preload already coerces to one). */
export function startAtLoginArg(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}
