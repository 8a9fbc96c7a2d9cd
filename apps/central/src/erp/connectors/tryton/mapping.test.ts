import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MappingError, MappingFile, missingMappings, parseMapping } from './mapping.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Tryton mapping', () => {
  const mapping = parseMapping(
    JSON.stringify({ stores: { 's-1': { warehouse: 'ST001', location: 'ST001-FLOOR' } }, products: { A: 'P-A' } }),
  );

  it('names exactly what is missing', () => {
    expect(missingMappings(mapping, 's-1', ['A'])).toEqual([]);
    expect(missingMappings(mapping, 's-2', ['A', 'B', 'B'])).toEqual([
      'store s-2 has no warehouse mapping',
      'sku B has no Tryton product',
    ]);
  });

  it('refuses malformed files with the entry at fault', () => {
    expect(() => parseMapping('{')).toThrow(MappingError);
    expect(() => parseMapping('{"stores":{"x":{"warehouse":"W"}}}')).toThrow(/stores\.x\.location/);
    expect(() => parseMapping('{"products":{"A":""}}')).toThrow(/products\.A: must be a Tryton code/);
    expect(parseMapping('{"customer":"POS"}')).toEqual({ stores: {}, products: {}, customer: 'POS' });
  });

  it('names every unknown key and every bad value at once, with the fix', () => {
    let err: MappingError | null = null;
    try {
      parseMapping(JSON.stringify({ store: {}, stores: { 's-1': { warehouse: 'W', locaton: 'L' } }, products: { A: 1 }, warnings: { skip: 'x' } }), 'mapping.json');
    } catch (e) {
      err = e as MappingError;
    }
    expect(err).toBeInstanceOf(MappingError);
    const text = err?.problems.join('\n') ?? '';
    for (const bit of ['store: ', 'stores.s-1.locaton', 'stores.s-1.location', 'products.A', 'warnings.skip', 'remove or rename it']) expect(text).toContain(bit);
    expect(err?.message).toMatch(/^mapping\.json: /);
    expect(parseMapping('{"warnings":{"skip":["stock_quantity_warning_*"]}}').warnings?.skip).toEqual(['stock_quantity_warning_*']);
  });

  it('re-reads the file when it changes, so a mapping added later is seen without a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-map-'));
    dirs.push(dir);
    const path = join(dir, 'mapping.json');
    writeFileSync(path, JSON.stringify({ stores: {}, products: { A: 'P-A' } }));
    const file = new MappingFile(path);
    expect(file.current().products.B).toBeUndefined();
    writeFileSync(path, JSON.stringify({ stores: {}, products: { A: 'P-A', B: 'P-B' } }));
    utimesSync(path, new Date(), new Date(Date.now() + 5_000)); // a later mtime even on coarse file systems
    expect(file.current().products.B).toBe('P-B');
    expect(() => new MappingFile(join(dir, 'none.json')).current()).toThrow(/cannot be read/);
  });
});
