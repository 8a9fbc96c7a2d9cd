import { describe, expect, it } from 'vitest';
import { DocumentRefused, WorkflowStuck } from './documents.js';
import { outcomeOfError } from './index.js';
import { describeTrytonError, TrytonRpcError } from './json-rpc.js';
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
});
