import { describe, expect, it } from 'vitest';
import { DocumentRefused, WorkflowStuck } from './documents.js';
import { outcomeOfError } from './index.js';
import { describeTrytonError, TrytonRpcError, warningMatcher, warningOf } from './json-rpc.js';
import { MappingError } from './mapping.js';
import { MissingMasterData } from './master-data.js';

describe('Tryton errors', () => {
  it("keeps Tryton's own words for a UserError and a UserWarning", () => {
    expect(
      describeTrytonError(['UserError', ['The value for field "Product" in "Sale Line" is not valid according to its domain.', '', null]]),
    ).toEqual({ message: 'UserError: The value for field "Product" in "Sale Line" is not valid according to its domain.', transient: false });
    expect(describeTrytonError(['UserWarning', ['w1', 'Low stock', 'of Mug']])).toEqual({ message: 'UserWarning: Low stock of Mug', transient: false });
  });

  it('tells a busy database from bad data', () => {
    expect(describeTrytonError(['database is locked', '']).transient).toBe(true);
    expect(describeTrytonError(["could not convert string to float: 'abc'", '']).transient).toBe(false);
  });

  it('maps each failure to retry or dead letter', () => {
    const rpc = (kind: ConstructorParameters<typeof TrytonRpcError>[1]) => outcomeOfError(new TrytonRpcError('m', kind, 'x', null));
    expect(rpc('unavailable')).toMatchObject({ ok: false, retryable: true });
    expect(rpc('server')).toMatchObject({ ok: false, retryable: true });
    expect(rpc('auth')).toMatchObject({ ok: false, retryable: true }); // a login refused now may work after the fix: keep the postings
    expect(rpc('user')).toMatchObject({ ok: false, retryable: false });
    expect(rpc('rejected')).toMatchObject({ ok: false, retryable: false });
    expect(outcomeOfError(new MappingError('bad file'))).toEqual({ ok: false, retryable: false, error: 'bad file' });
    expect(outcomeOfError(new MissingMasterData('no product'))).toMatchObject({ retryable: false });
    expect(outcomeOfError(new DocumentRefused('cancelled'))).toMatchObject({ retryable: false });
    expect(outcomeOfError(new WorkflowStuck('confirmed'))).toMatchObject({ retryable: true });
  });

  it('reads a UserWarning’s name and words; skip patterns match names with * wildcards only', () => {
    expect(warningOf(['UserWarning', ['stock_quantity_warning_7', 'The forcast quantity is lower', '']])).toEqual({ name: 'stock_quantity_warning_7', message: 'The forcast quantity is lower' });
    expect(warningOf(['UserError', ['x', '']])).toBeNull();
    const skip = warningMatcher(['stock_quantity_warning_*', 'exact.name']);
    expect(skip('stock_quantity_warning_12')).toBe(true);
    expect(skip('exact.name')).toBe(true);
    expect(skip('exactXname')).toBe(false); // a dot is a dot
    expect(skip('sale_credit_limit_3')).toBe(false);
    expect(warningMatcher([])('stock_quantity_warning_1')).toBe(false);
  });
});
