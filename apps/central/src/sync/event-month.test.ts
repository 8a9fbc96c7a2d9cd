import { describe, expect, it } from 'vitest';
import { uuidv7 } from '@outpost/shared';
import { addMonths, eventMonth, eventMonths } from './event-month.js';

describe('event month (the partition key of events)', () => {
  it('is the UTC month of the UUIDv7 timestamp', () => {
    expect(eventMonth(uuidv7(Date.parse('2026-02-28T23:59:59.999Z')))).toBe('2026-02-01');
    expect(eventMonth(uuidv7(Date.parse('2026-03-01T00:00:00.000Z')))).toBe('2026-03-01');
    expect(eventMonth(uuidv7(Date.parse('1999-12-31T12:00:00Z')).toUpperCase())).toBe('1999-12-01');
  });

  it('is a fixed month for an id without a timestamp, so it stays a function of the id', () => {
    expect(eventMonth('6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f')).toBe('1970-01-01'); // v4
    expect(eventMonth('not-a-uuid')).toBe('1970-01-01');
  });

  it('adds months across years, and lists distinct months', () => {
    expect(addMonths('2026-11-01', 3)).toBe('2027-02-01');
    expect(addMonths('2026-01-01', -1)).toBe('2025-12-01');
    const a = uuidv7(Date.parse('2026-05-03T10:00:00Z'));
    const b = uuidv7(Date.parse('2026-05-20T10:00:00Z'));
    expect(eventMonths([a, b])).toEqual(['2026-05-01']);
  });
});
