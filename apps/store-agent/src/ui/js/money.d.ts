export function exponent(currency: string): number;
export function formatMoney(minor: number, currency: string): string;
export function parseMoney(text: string, currency: string): number | null;
