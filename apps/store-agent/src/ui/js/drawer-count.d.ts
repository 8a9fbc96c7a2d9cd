export function countRows(tenders: { method: string; amount: number }[]): { method: string; expected: number }[];
export function readCount(
  text: string,
  expected: number,
  currency: string,
): { state: 'empty' } | { state: 'invalid'; text: string } | { state: 'counted'; amount: number; difference: number; text: string };
export function closeBody(
  typed: { method: string; expected: number; text: string }[],
  currency: string,
): { ok: true; body: { countedCash: { method: string; amount: number }[] } | undefined } | { ok: false; method: string; text: string };
