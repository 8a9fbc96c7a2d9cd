export interface CartLine {
  sku: string;
  name: string | null;
  qty: number;
  unitPrice: number;
}
export function addLine(lines: CartLine[], line: CartLine): CartLine[];
export function setQty(lines: CartLine[], index: number, qty: number): CartLine[];
export function lineTotal(line: CartLine): number;
export function cartTotal(lines: CartLine[]): number;
export function itemCount(lines: CartLine[]): number;
export function changeDue(total: number, given: number): number | null;
export function documentId(prefix: string, nowMs: number, random?: () => number): string;
