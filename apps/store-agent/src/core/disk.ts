import { statfsSync } from 'node:fs';

/** Free bytes for this (unprivileged) process on the disk holding `dir`; null when the platform cannot say. */
export function diskFreeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}
