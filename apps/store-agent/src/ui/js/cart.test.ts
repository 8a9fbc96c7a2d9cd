import { describe, expect, it } from 'vitest';
import { addLine, cartTotal, changeDue, documentId, itemCount, setQty } from './cart.js';

const mug = { sku: 'SKU-1', name: 'Mug', qty: 1, unitPrice: 450 };

describe('sale and return lines', () => {
  it('scanning the same item again adds to its line; another price is another line', () => {
    let lines = addLine([], mug);
    lines = addLine(lines, mug);
    lines = addLine(lines, { ...mug, qty: 3 });
    expect(lines).toEqual([{ ...mug, qty: 5 }]);
    lines = addLine(lines, { ...mug, unitPrice: 400 });
    expect(lines).toHaveLength(2);
    expect(cartTotal(lines)).toBe(5 * 450 + 400);
    expect(itemCount(lines)).toBe(6);
  });

  it('setting a quantity to 0 removes the line; a non-integer changes nothing', () => {
    const lines = [mug, { ...mug, sku: 'SKU-2' }];
    expect(setQty(lines, 1, 4)[1]?.qty).toBe(4);
    expect(setQty(lines, 0, 0).map((l) => l.sku)).toEqual(['SKU-2']);
    expect(setQty(lines, 0, 1.5)).toBe(lines);
  });

  it('change is due only once the cash covers the total', () => {
    expect(changeDue(1250, 2000)).toBe(750);
    expect(changeDue(1250, 1250)).toBe(0);
    expect(changeDue(1250, 1000)).toBeNull();
  });

  it('document ids are unique per cart and within the API limits', () => {
    const a = documentId('UI', 1_800_000_000_000, () => 0.1);
    const b = documentId('UI', 1_800_000_000_000, () => 0.2);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^UI-[0-9A-Z]+-[0-9A-Z]{4}$/);
    expect(a.length).toBeLessThanOrEqual(128);
  });
});
