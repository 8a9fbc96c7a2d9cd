/**
 * What the tray says about the store's sync, from the engine's status. Pure, so the wording and the colour
 * rules are tested without a tray. Offline is not an error: the store keeps selling and the events wait.
 */
export type TrayLevel = 'ok' | 'syncing' | 'offline' | 'error' | 'setup';

export interface TrayInput {
  enrolled: boolean;
  /** Why the engine is not running (the service's lastError), or null. */
  serviceError: string | null;
  status: { online: boolean; pendingUp: number; pendingPicks: number; lastSyncAt: string | null; lastError: string | null } | null;
}

export interface TrayState {
  level: TrayLevel;
  /** One line for the tray menu's first (disabled) item. */
  label: string;
  /** Hover text: the label plus the last sync time and picks waiting. */
  tooltip: string;
}

export const TRAY_COLOURS: Record<TrayLevel, readonly [number, number, number]> = {
  ok: [46, 160, 67],
  syncing: [31, 111, 235],
  offline: [210, 153, 34],
  error: [207, 34, 46],
  setup: [140, 149, 159],
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function trayState(input: TrayInput): TrayState {
  const { status } = input;
  let level: TrayLevel;
  let label: string;
  if (!input.enrolled) {
    level = 'setup';
    label = 'Not enrolled: open Outpost to enrol this PC';
  } else if (input.serviceError) {
    level = 'error';
    label = `Agent stopped: ${input.serviceError}`;
  } else if (!status) {
    level = 'setup';
    label = 'Starting…';
  } else if (!status.online) {
    level = 'offline';
    label = status.pendingUp > 0 ? `Offline: ${plural(status.pendingUp, 'event', 'events')} waiting, safe on this PC` : 'Offline: nothing waiting';
  } else if (status.pendingUp > 0) {
    level = 'syncing';
    label = `Sending ${plural(status.pendingUp, 'event', 'events')}`;
  } else {
    level = 'ok';
    label = 'In sync';
  }
  const extra: string[] = [];
  if (status?.pendingPicks) extra.push(`${plural(status.pendingPicks, 'order', 'orders')} to pick`);
  if (status?.lastSyncAt) extra.push(`last sync ${status.lastSyncAt}`);
  if (status?.lastError && level !== 'error') extra.push(`last problem: ${status.lastError}`);
  return { level, label, tooltip: ['Outpost', label, ...extra].join('\n') };
}
