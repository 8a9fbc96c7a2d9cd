// Types of the console's chart helpers (plain browser JavaScript), for their unit test.
export const PALETTE: string[];
export function niceMax(v: number): number;
export function pivot<R extends Record<string, unknown>>(
  rows: R[],
  categoryKey: keyof R & string,
  seriesKey: keyof R & string,
  valueKey: keyof R & string,
): { categories: string[]; series: { name: string; values: number[] }[] };
export function minuteLabel(iso: string): string;
export function columnChart(opts: unknown): unknown;
