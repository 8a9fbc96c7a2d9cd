export interface PickLine {
  sku: string;
  qty: number;
  pickedQty: number | null;
}
export interface Pick {
  reservationId: string;
  orderId: string;
  status: string;
  lines: PickLine[];
  createdAt: string;
  expiresAt: string | null;
}
export const TO_PICK: string[];
export const WAITING_FOR_CUSTOMER: string[];
export function groupPicks(picks: Pick[]): { toPick: Pick[]; waiting: Pick[] };
export function initialPicked(pick: Pick): number[];
export function scanItem(pick: Pick, picked: number[], sku: string): { picked: number[]; error: string | null };
export function pickOutcome(
  pick: Pick,
  picked: number[],
): { status: 'picked' | 'short_picked' | null; short: { sku: string; missing: number }[]; error: string | null };
export function confirmBody(pick: Pick, picked: number[]): { lines: { sku: string; pickedQty: number }[] };
