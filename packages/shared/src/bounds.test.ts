import { describe, expect, it } from 'vitest';
import { boundedJson, MAX_MINOR_UNITS, MAX_QTY, nestingDepthExceeds, storableText, unstorableStringPath } from './bounds.js';
import { parseEvent } from './events.js';
import { parseCommandPayload } from './commands.js';
import { uuidv7 } from './ids.js';
import { saleBody, countBody, adjustmentBody } from './api/agent.js';
import { putItemBody, receiptBody, itemParams, inventoryQuery } from './api/central.js';
import { createReservationBody } from './api/reservations.js';

// Every bound the database enforces is refused by the contract schemas, so the agent refuses at capture what
// central could not store (issue 11, case 3 and 7).

const sale = (patch: (p: { lines: { sku: string; qty: number; unitPrice: number }[]; transactionId: string }) => void = () => {}) => {
  const payload = {
    transactionId: 'T-1',
    businessDate: '2026-11-23',
    currency: 'EUR',
    lines: [{ sku: 'SKU-1', qty: 2, unitPrice: 499 }],
    tenders: [{ method: 'card', amount: 998 }],
  };
  patch(payload);
  return {
    eventId: uuidv7(),
    storeId: 'store-001',
    deviceId: uuidv7(),
    seq: 1,
    hlc: '001763000000000:00000:dev',
    occurredAt: '2026-11-23T10:00:00.000Z',
    type: 'sale.completed',
    schemaVersion: 1,
    correlationId: 'c-1',
    payload,
  };
};

function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('quantity bounds (int4 line quantities)', () => {
  it('refuses a sale line of 3,000,000,000 and accepts the int4 maximum', () => {
    const r = parseEvent(sale((p) => (p.lines[0]!.qty = 3_000_000_000)));
    expect(!r.ok && r.error).toMatch(/payload\.lines\.0\.qty: quantity must be between/);
    expect(parseEvent(sale((p) => (p.lines[0]!.qty = MAX_QTY))).ok).toBe(true);
    expect(parseEvent(sale((p) => (p.lines[0]!.qty = MAX_QTY + 1))).ok).toBe(false);
  });
  it('refuses a count of 3e9, an adjustment of -3e9 and a receipt of 2^40 at the HTTP bodies', () => {
    expect(countBody.safeParse({ countId: 'C', lines: [{ sku: 'A', countedQty: 3e9 }] }).success).toBe(false);
    expect(countBody.safeParse({ countId: 'C', lines: [{ sku: 'A', countedQty: MAX_QTY }] }).success).toBe(true);
    expect(adjustmentBody.safeParse({ adjustmentId: 'A', reasonCode: 'x', lines: [{ sku: 'A', qtyDelta: -3e9 }] }).success).toBe(false);
    expect(receiptBody.safeParse({ receiptId: 'R', lines: [{ sku: 'A', qty: 2 ** 40 }] }).success).toBe(false);
    expect(createReservationBody.safeParse({ orderId: 'O', storeId: 's', lines: [{ sku: 'A', qty: 2 ** 40 }] }).success).toBe(false);
  });
});

describe('money bounds', () => {
  it('refuses amounts beyond 10^15 minor units (sums stay exact) and keeps integers only', () => {
    const body = (unitPrice: number) => ({ transactionId: 'T', lines: [{ sku: 'A', qty: 1, unitPrice }], tenders: [] });
    expect(saleBody.safeParse(body(MAX_MINOR_UNITS)).success).toBe(true);
    expect(saleBody.safeParse(body(MAX_MINOR_UNITS + 1)).success).toBe(false);
    expect(saleBody.safeParse(body(-MAX_MINOR_UNITS - 1)).success).toBe(false);
    expect(putItemBody.safeParse({ name: 'x', price: 2 ** 53, currency: 'EUR' }).success).toBe(false);
  });
});

describe('string contents', () => {
  const bad = ['\u0000', 'a\u0000b', '\ud800', 'x\udc00', 'a\ud800b'];
  it('refuses NUL and lone surrogates in skus, ids and names; keeps paired surrogates (emoji)', () => {
    for (const s of bad) {
      expect(saleBody.safeParse({ transactionId: 'T', lines: [{ sku: s, qty: 1, unitPrice: 1 }], tenders: [] }).success, JSON.stringify(s)).toBe(false);
      expect(saleBody.safeParse({ transactionId: s, lines: [{ sku: 'A', qty: 1, unitPrice: 1 }], tenders: [] }).success).toBe(false);
      expect(putItemBody.safeParse({ name: s, price: 1, currency: 'EUR' }).success).toBe(false);
      expect(itemParams.safeParse({ sku: s }).success).toBe(false);
      expect(receiptBody.safeParse({ receiptId: s, lines: [{ sku: 'A', qty: 1 }] }).success).toBe(false);
      expect(createReservationBody.safeParse({ orderId: s, storeId: 's', lines: [{ sku: 'A', qty: 1 }] }).success).toBe(false);
      expect(inventoryQuery.safeParse({ sku: s }).success).toBe(false);
    }
    expect(putItemBody.safeParse({ name: 'Tasse \u2615 \ud83d\ude00', price: 1, currency: 'EUR' }).success).toBe(true);
  });
  it('refuses them inside events and commands, naming the field', () => {
    const r = parseEvent(sale((p) => (p.lines[0]!.sku = '\u0000')));
    expect(!r.ok && r.error).toMatch(/payload\.lines\.0\.sku: contains a NUL character or an unpaired surrogate/);
    expect(parseEvent({ ...sale(), correlationId: 'c\ud800' }).ok).toBe(false);
    const cmd = { seq: 1, commandId: uuidv7(), storeId: 's', type: 'item.upserted', schemaVersion: 1, createdAt: '2026-11-23T10:00:00Z', correlationId: 'c' };
    expect(parseCommandPayload({ ...cmd, payload: { sku: 'A', name: 'bad\udfff', price: 1, currency: 'EUR', version: 1 } }).ok).toBe(false);
  });
  it('finds the path of an unstorable string and makes any text storable', () => {
    expect(unstorableStringPath({ a: [1, 'ok', { b: 'x\u0000' }] }, 'payload')).toBe('payload.a.2.b');
    expect(unstorableStringPath({ ['k\ud800']: 1 }, 'p')).toBe('p (a key)');
    expect(unstorableStringPath({ a: 'fine \ud83d\ude00' }, 'p')).toBeNull();
    expect(storableText('a\u0000b\ud800c')).toBe('a\ufffdb\ufffdc');
  });
});

describe('nesting depth', () => {
  it('measures depth without recursion, also 100,000 levels deep', () => {
    expect(nestingDepthExceeds(nested(32))).toBe(false);
    expect(nestingDepthExceeds(nested(33))).toBe(true);
    expect(nestingDepthExceeds(nested(100_000))).toBe(true);
    expect(nestingDepthExceeds('scalar')).toBe(false);
  });
  it('serialises a 5,000-level value cut at the limit instead of throwing', () => {
    const text = boundedJson({ eventId: 'x', payload: nested(5000) });
    expect(text.length).toBeLessThan(2000);
    expect(text).toMatch(/nested deeper than 32 levels: cut/);
    expect(JSON.parse(text)).toMatchObject({ eventId: 'x' });
    expect(boundedJson({ a: 'x\u0000' })).toBe('{"a":"x\\u0000"}');
  });
});
