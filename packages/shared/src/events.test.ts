import { describe, expect, it } from 'vitest';
import { parseEvent } from './events.js';
import { MAX_COUNTED_TENDERS, MAX_MINOR_UNITS } from './bounds.js';
import { parseCommandPayload } from './commands.js';
import { uuidv7 } from './ids.js';

const base = () => ({
  eventId: uuidv7(),
  storeId: 'store-001',
  deviceId: uuidv7(),
  seq: 1,
  hlc: '001763000000000:00000:dev',
  occurredAt: '2026-11-23T10:00:00.000Z',
  type: 'sale.completed',
  schemaVersion: 1,
  correlationId: 'c-1',
  payload: {
    transactionId: 'T-1',
    businessDate: '2026-11-23',
    currency: 'EUR',
    lines: [{ sku: 'SKU-1', qty: 2, unitPrice: 499 }],
    tenders: [{ method: 'card', amount: 998 }],
  },
});

describe('parseEvent', () => {
  it('accepts a valid sale', () => {
    const r = parseEvent(base());
    expect(r.ok).toBe(true);
    if (r.ok && r.value.type === 'sale.completed') expect(r.value.payload.lines[0]?.qty).toBe(2);
  });
  it('names the field of a payload error', () => {
    const ev = base();
    ev.payload.lines[0]!.qty = -1;
    const r = parseEvent(ev);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/payload\.lines\.0\.qty: quantity must be positive/);
  });
  it('refuses unknown types and versions with a readable error', () => {
    const r1 = parseEvent({ ...base(), type: 'sale.exploded' });
    const r2 = parseEvent({ ...base(), schemaVersion: 9 });
    expect(!r1.ok && r1.error).toMatch(/unknown event type "sale.exploded"/);
    expect(!r2.ok && r2.error).toMatch(/unknown schemaVersion 9/);
  });
  it('refuses money as floats and empty documents', () => {
    const ev = base();
    ev.payload.lines[0]!.unitPrice = 4.99;
    expect(parseEvent(ev).ok).toBe(false);
    expect(parseEvent({ ...base(), payload: { ...base().payload, lines: [] } }).ok).toBe(false);
  });
  it('refuses a non-object without throwing', () => {
    expect(parseEvent('garbage').ok).toBe(false);
    expect(parseEvent(null).ok).toBe(false);
  });
});

describe('parseCommandPayload', () => {
  const cmd = { seq: 1, commandId: uuidv7(), storeId: 's', type: 'item.upserted', schemaVersion: 1, createdAt: '2026-11-23T10:00:00Z', correlationId: 'c' };
  it('validates payloads by type and version', () => {
    expect(parseCommandPayload({ ...cmd, payload: { sku: 'A', name: 'A', price: 100, currency: 'EUR', version: 2 } }).ok).toBe(true);
    const bad = parseCommandPayload({ ...cmd, payload: { sku: 'A', name: 'A', price: 1.5, currency: 'EUR', version: 2 } });
    expect(!bad.ok && bad.error).toMatch(/payload\.price/);
    expect(parseCommandPayload({ ...cmd, type: 'unknown.cmd', payload: {} }).ok).toBe(false);
  });
});

describe('day.closed', () => {
  const close = (schemaVersion: number, extra: Record<string, unknown> = {}) => ({
    ...base(),
    type: 'day.closed',
    schemaVersion,
    payload: { businessDate: '2026-11-23', currency: 'EUR', transactionCount: 2, returnCount: 0, salesTotal: 1500, returnsTotal: 0, tenders: [{ method: 'cash', amount: 1500 }], ...extra },
  });
  it('v2 carries the counted cash per tender method; v1 (without it) stays accepted', () => {
    const v2 = parseEvent(close(2, { countedCash: [{ method: 'cash', amount: 1450 }, { method: 'card', amount: 0 }] }));
    expect(v2.ok && v2.value.payload).toMatchObject({ countedCash: [{ method: 'cash', amount: 1450 }, { method: 'card', amount: 0 }] });
    expect(parseEvent(close(2)).ok).toBe(true); // a close without a count is still a close
    expect(parseEvent(close(1)).ok).toBe(true);
  });
  it('v2 refuses a counted amount beyond the money bounds, negative or fractional, a method counted twice, too many methods', () => {
    const bad = (countedCash: unknown) => {
      const r = parseEvent(close(2, { countedCash }));
      return r.ok ? 'accepted' : r.error;
    };
    expect(bad([{ method: 'cash', amount: MAX_MINOR_UNITS + 1 }])).toMatch(/payload\.countedCash\.0\.amount: money must be between/);
    expect(bad([{ method: 'cash', amount: MAX_MINOR_UNITS }])).toBe('accepted');
    expect(bad([{ method: 'cash', amount: -1 }])).toMatch(/payload\.countedCash\.0\.amount: a counted amount cannot be negative/);
    expect(bad([{ method: 'cash', amount: 10.5 }])).toMatch(/integer minor units/);
    expect(bad([{ method: 'cash', amount: 1 }, { method: 'cash', amount: 2 }])).toMatch(/each tender method is counted once/);
    expect(bad([{ method: 'x'.repeat(65), amount: 1 }])).toMatch(/payload\.countedCash\.0\.method/);
    expect(bad(Array.from({ length: MAX_COUNTED_TENDERS + 1 }, (_, i) => ({ method: `m${i}`, amount: 1 })))).toMatch(/at most 32 tender methods/);
  });
  it('v1 keeps its shipped shape: a count put into a v1 event is not read as one', () => {
    // The count exists from v2 on; v1 readers (central's reconciliation) never see one.
    const r = parseEvent(close(1, { countedCash: [{ method: 'cash', amount: 1 }] }));
    expect(r.ok && r.value.payload).not.toHaveProperty('countedCash');
  });
});
