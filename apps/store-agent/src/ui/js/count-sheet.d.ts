export interface CountLine {
  sku: string;
  countedQty: number;
}
export function addCount(lines: CountLine[], sku: string, qty: number): CountLine[];
export function setCount(lines: CountLine[], sku: string, qty: number): CountLine[];
export function removeCount(lines: CountLine[], sku: string): CountLine[];
export function reviewRows(
  lines: CountLine[],
  onHandBySku: Map<string, number>,
): { sku: string; countedQty: number; expected: number | null; difference: number | null }[];
export function isLargeVariance(row: { expected: number | null; difference: number | null }): boolean;
