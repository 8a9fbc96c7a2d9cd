import { describe, expect, it } from 'vitest';
import { COMMAND_VERSIONS_BEFORE_V3, type RawCommand } from '@outpost/shared';
import { deliverable } from './command-hold.js';

function cmd(seq: number, type: string, schemaVersion: number): RawCommand {
  return { seq, commandId: `0190f000-0000-7000-8000-${String(seq).padStart(12, '0')}`, storeId: 's', type, schemaVersion, createdAt: '2026-11-29T10:00:00.000Z', correlationId: 'c', payload: {} };
}

describe('commands an agent cannot apply wait at central', () => {
  it('sends everything an agent knows', () => {
    const page = [cmd(1, 'item.upserted', 1), cmd(2, 'stock.received', 2)];
    expect(deliverable(page, COMMAND_VERSIONS_BEFORE_V3)).toEqual({ send: page, held: null });
  });
  it('stops before the first unknown version and holds it, also when later ones are known', () => {
    const page = [cmd(1, 'item.upserted', 1), cmd(2, 'stock.received', 3), cmd(3, 'item.upserted', 1)];
    const r = deliverable(page, COMMAND_VERSIONS_BEFORE_V3);
    expect(r.send.map((c) => c.seq)).toEqual([1]);
    expect(r.held?.seq).toBe(2);
  });
  it('holds an unknown type at the head of the page', () => {
    const r = deliverable([cmd(5, 'price.scheduled', 1)], COMMAND_VERSIONS_BEFORE_V3);
    expect(r).toEqual({ send: [], held: cmd(5, 'price.scheduled', 1) });
  });
  it('an optional type the agent does not know goes down (it sets it aside); a newer version of one it knows waits', () => {
    const page = [cmd(1, 'reservation.updated', 1), cmd(2, 'item.upserted', 1)];
    expect(deliverable(page, COMMAND_VERSIONS_BEFORE_V3)).toEqual({ send: page, held: null });
    expect(deliverable([cmd(1, 'reservation.updated', 2)], { 'reservation.updated': [1] }).held?.seq).toBe(1);
  });
  it('an agent that names a version it knows gets it', () => {
    expect(deliverable([cmd(1, 'stock.received', 2)], { 'stock.received': [1] }).held?.seq).toBe(1);
    expect(deliverable([cmd(1, 'stock.received', 2)], { 'stock.received': [1, 2] }).held).toBeNull();
  });
});
